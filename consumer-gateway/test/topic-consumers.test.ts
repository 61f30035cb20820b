// Housekeeping: GET /topics/:topic/consumers lists who reads a topic with their lag, and deleting a topic ends
// the subscriptions and group offsets that pointed at it (the controller does it when it reclaims the topic).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerKeys, groupKeys, topicReaderKeys } from '@tributary/core';
import { uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { Member } from './group-client.js';
import { client, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

const consumersOf = async (topic: string) => {
  const response = await stack.gateway.app.inject({ method: 'GET', url: `/topics/${topic}/consumers` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

describe('GET /topics/:topic/consumers', () => {
  it('lists the emails and groups reading the topic, each with its lag', async () => {
    const topic = await stack.createTopic(2);
    await stack.write(topic.name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: i })));
    const [reader, idle] = [uniqueEmail(), uniqueEmail()].sort();
    await api.subscribe(reader!, topic.name);
    await api.subscribe(idle!, topic.name);
    await stack.gateway.app.inject({ method: 'GET', url: `/read/${reader}/${topic.name}?max=4` });
    const group = uniqueName('g');
    const member = await Member.join(stack.gateway, group, { topics: [topic.name] });
    await member.commitPast((await member.fetch('?max=3')).messages);

    const listed = await consumersOf(topic.name);
    expect(listed.topic).toBe(topic.name);
    expect(listed.consumers).toEqual(
      expect.arrayContaining([
        { type: 'email', name: reader, lag: 6 },
        { type: 'email', name: idle, lag: 10 },
        { type: 'group', name: group, members: 1, lag: 7 },
      ]),
    );

    await api.unsubscribe(idle!, topic.name);
    await member.leave();
    const after = (await consumersOf(topic.name)).consumers;
    expect(after).not.toContainEqual(expect.objectContaining({ name: idle }));
    // A group without members still reads the topic: it has committed offsets there.
    expect(after).toContainEqual({ type: 'group', name: group, members: 0, lag: 7 });
    expect((await stack.gateway.app.inject({ method: 'GET', url: `/topics/${uniqueName('missing')}/consumers` })).json()).toMatchObject({
      code: 'TOPIC_NOT_FOUND',
    });
  });
});

describe('deleting a topic', () => {
  it('ends its subscriptions and drops the group offsets that named it; a re-created topic starts with none', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, [{ key: 'k', value: 1 }]);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    await api.read(email, topic.name, 'k');
    const group = uniqueName('g');
    const member = await Member.join(stack.gateway, group, { topics: [topic.name] });
    await member.commitPast((await member.fetch()).messages);
    await member.leave();

    await stack.deleteTopic(topic.name);
    // The controller reclaims the deleted topic in the background.
    await waitFor(async () => (await stack.redis.hget(consumerKeys(email).subscriptions, topic.name)) === null, { what: 'the subscription to end' });
    expect(await stack.redis.exists(consumerKeys(email).offsets(topic.name))).toBe(0);
    expect(await stack.redis.exists(topicReaderKeys(topic.id).emails)).toBe(0);
    await waitFor(async () => Object.keys(await stack.redis.hgetall(groupKeys(group).offsets)).length === 0, { what: 'the group offsets to go' });

    const again = await stack.createTopic(1, undefined, topic.name);
    // Only this test's readers: other tests on the shared Redis run pattern groups (`*`) that read every topic.
    const readers = (await consumersOf(again.name)).consumers.filter((c: { name: string }) => c.name === email || c.name === group);
    expect(readers).toEqual([]);
    expect((await api.subscriptions(email)).json().subscriptions).toEqual([]);
  });
});
