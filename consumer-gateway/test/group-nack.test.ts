// Nack, retry and dead letters: a nacked record comes back after its delay without holding up the partition,
// and after max_deliveries lands in the dead-letter topic with headers saying where it came from and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '@tributary/testkit';
import { deadLetterHeaders } from '../src/groups/index.js';
import { groupApi, Member, type GroupMessage } from './group-client.js';
import { Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof groupApi>;

beforeAll(async () => {
  stack = await Stack.start();
  api = groupApi(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

async function nack(member: Member, body: object) {
  const response = await api.nack(member.group, member.id, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/**
 * Fetches until the record at `offset` comes back, and answers it. Other records are committed; the awaited
 * one is not (a commit past a redelivered record acknowledges it).
 */
async function redelivery(member: Member, offset: number): Promise<GroupMessage> {
  return waitFor(
    async () => {
      const { messages } = await member.fetch('?wait_ms=500');
      await member.commitPast(messages.filter((m) => m.offset > offset));
      return messages.find((m) => m.offset === offset);
    },
    { what: `offset ${offset} to come back` },
  );
}

describe('nack', () => {
  it('redelivers after the delay without holding up the partition, then dead-letters at max_deliveries with the documented headers', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, [
      { key: 'a', value: 0 },
      { key: 'poison', value: { bad: true }, headers: { trace: 't-1' } },
      { key: 'c', value: 2 },
    ]);
    const group = uniqueName('g');
    const member = await Member.join(stack.gateway, group, { topics: [topic.name], max_deliveries: 3 });
    const first = await member.fetch();
    expect(first.messages.map((m) => [m.offset, m.delivery_count])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);

    // A long delay first: the record waits, the rest of the partition goes on and is committed.
    const waiting = await nack(member, { topic: topic.name, partition: 0, offset: 1, delay_ms: 60_000, reason: 'first try' });
    expect(waiting).toMatchObject({ topic: topic.name, partition: 0, offset: 1, delivery_count: 1, outcome: 'retry', retry_at: expect.any(Number) });
    await member.commitPast(first.messages);
    await stack.write(topic.name, [{ key: 'd', value: 3 }]);
    expect((await member.fetch()).messages.map((m) => m.offset)).toEqual([3]);
    expect((await api.describe(group)).json().partitions[0]).toMatchObject({ committed_offset: 3, nacked: 1 });
    // Nacking a record that waits for its redelivery changes nothing.
    expect((await nack(member, { topic: topic.name, partition: 0, offset: 1 })).retry_at).toBe(waiting.retry_at);

    // Reset the wait: a new group with a short delay does the rest (the nack state is per group).
    const fast = await Member.join(stack.gateway, uniqueName('g'), { topics: [topic.name], max_deliveries: 3, retry_delay_ms: 50 });
    await fast.fetch('?max=2');
    expect((await nack(fast, { topic: topic.name, partition: 0, offset: 1, reason: 'first try' })).outcome).toBe('retry');
    await fast.commitPast([{ topic: topic.name, partition: 0, offset: 1 } as GroupMessage]);
    const second = await redelivery(fast, 1);
    expect(second).toMatchObject({ key: 'poison', value: { bad: true }, delivery_count: 2, headers: { trace: 't-1' } });
    expect((await nack(fast, { topic: topic.name, partition: 0, offset: 1, reason: 'second try' })).outcome).toBe('retry');
    const third = await redelivery(fast, 1);
    expect(third.delivery_count).toBe(3);

    const dead = await nack(fast, { topic: topic.name, partition: 0, offset: 1, reason: 'gave up' });
    expect(dead).toMatchObject({ outcome: 'dead_lettered', delivery_count: 3, dead_letter: { topic: `${topic.name}.dlq`, partition: 0, offset: 0 } });
    const browsed = await stack.broker.app.inject({ method: 'GET', url: `/topics/${topic.name}.dlq/partitions/0/records` });
    expect(browsed.statusCode, browsed.body).toBe(200);
    expect(browsed.json().messages).toEqual([
      {
        partition: 0,
        offset: 0,
        timestamp: expect.any(Number),
        key: 'poison',
        value: { bad: true },
        headers: {
          trace: 't-1',
          [deadLetterHeaders.topic]: topic.name,
          [deadLetterHeaders.partition]: '0',
          [deadLetterHeaders.offset]: '1',
          [deadLetterHeaders.timestamp]: String(second.timestamp),
          [deadLetterHeaders.deliveryCount]: '3',
          [deadLetterHeaders.reason]: 'gave up',
          [deadLetterHeaders.group]: fast.group,
        },
      },
    ]);
    // The group moved on: the record does not come back, and its nack state is gone.
    expect((await fast.fetch()).messages).toEqual([]);
    expect((await api.describe(fast.group)).json().partitions[0].nacked).toBe(0);
  });

  it('drops the record at max_deliveries when dead letters are off', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, [{ key: 'k', value: 1 }]);
    const member = await Member.join(stack.gateway, uniqueName('g'), { topics: [topic.name], max_deliveries: 1, dead_letter_topic: null });
    await member.fetch();
    expect(await nack(member, { topic: topic.name, partition: 0, offset: 0 })).toMatchObject({ outcome: 'dropped', delivery_count: 1 });
    expect(stack.gateway.topics.get(`${topic.name}.dlq`)).toBeUndefined();
  });

  it("follows the topic's own dead-letter setting, whatever the group's: a topic name, or null to drop", async () => {
    const failures = uniqueName('failures');
    const routed = await stack.createTopic(1, { dead_letter_topic: failures });
    const dropping = await stack.createTopic(1, { dead_letter_topic: null });
    const described = (await stack.broker.app.inject({ method: 'GET', url: `/topics/${routed.name}` })).json();
    expect(described.config.dead_letter_topic).toBe(failures);
    for (const topic of [routed, dropping]) await stack.write(topic.name, [{ key: 'k', value: topic.name }]);
    const member = await Member.join(stack.gateway, uniqueName('g'), { topics: [routed.name, dropping.name], max_deliveries: 1 });
    expect((await member.fetch()).messages).toHaveLength(2);

    expect(await nack(member, { topic: routed.name, partition: 0, offset: 0 })).toMatchObject({ outcome: 'dead_lettered', dead_letter: { topic: failures } });
    expect(stack.gateway.topics.get(`${routed.name}.dlq`)).toBeUndefined();
    const dead = (await stack.broker.app.inject({ method: 'GET', url: `/topics/${failures}/partitions/0/records?offset=0` })).json();
    expect(dead.messages).toMatchObject([{ value: routed.name, headers: { [deadLetterHeaders.topic]: routed.name } }]);
    expect(await nack(member, { topic: dropping.name, partition: 0, offset: 0 })).toMatchObject({ outcome: 'dropped' });
    expect(stack.gateway.topics.get(`${dropping.name}.dlq`)).toBeUndefined();

    // A pattern group never picks up a topic named as some topic's dead-letter topic.
    await waitFor(() => stack.gateway.topics.get(failures), { what: 'the gateway to see the dead-letter topic' });
    const watcher = await Member.join(stack.gateway, uniqueName('g'), { pattern: `${failures.slice(0, -3)}*` });
    expect(watcher.last.assignment).toEqual([]);

    // The setting is checked like a topic name, and may not name the topic itself; PATCH changes it.
    for (const [body, message] of [
      [{ dead_letter_topic: 'bad name' }, /dead_letter_topic/],
      [{ dead_letter_topic: routed.name }, /itself/],
    ] as const) {
      const refused = await stack.broker.app.inject({ method: 'PATCH', url: `/topics/${routed.name}`, payload: body });
      expect(refused.json()).toMatchObject({ statusCode: 400, code: 'INVALID_TOPIC_CONFIG', message: expect.stringMatching(message) });
    }
    const altered = await stack.broker.app.inject({ method: 'PATCH', url: `/topics/${routed.name}`, payload: { dead_letter_topic: null } });
    expect(altered.json().config.dead_letter_topic).toBeNull();
  });

  it('refuses a nack of a record not delivered to the member (409 NOT_DELIVERED)', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, [{ key: 'k', value: 1 }]);
    const member = await Member.join(stack.gateway, uniqueName('g'), { topics: [topic.name] });
    const refused = await api.nack(member.group, member.id, { topic: topic.name, partition: 0, offset: 0 });
    expect(refused.json()).toMatchObject({ statusCode: 409, code: 'NOT_DELIVERED' });
    expect((await api.nack(member.group, member.id, { topic: topic.name, partition: 3, offset: 0 })).json()).toMatchObject({ code: 'PARTITION_NOT_FOUND' });
  });
});
