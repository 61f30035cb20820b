// Consumer groups over HTTP: members on several gateways sharing a topic, fencing, and the group routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKeys } from '@tributary/core';
import { uniqueName, waitFor } from '@tributary/testkit';
import type { Gateway } from '../src/index.js';
import { groupApi, Member, type GroupMessage } from './group-client.js';
import { Stack } from './stack.js';

let stack: Stack;
let second: Gateway;
let api: ReturnType<typeof groupApi>;

beforeAll(async () => {
  stack = await Stack.start();
  second = await stack.addGateway();
  api = groupApi(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

const keyed = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ key: `key-${from + i}`, value: from + i }));
const id = ({ topic, partition, offset }: Pick<GroupMessage, 'topic' | 'partition' | 'offset'>) => `${topic}/${partition}/${offset}`;

/** Fetches and commits with every member in turn until `done` says so; answers what each member got. */
async function consumeUntil(members: Member[], done: (got: Map<Member, string[]>) => boolean): Promise<Map<Member, string[]>> {
  const got = new Map<Member, string[]>(members.map((m) => [m, []]));
  await waitFor(
    async () => {
      for (const member of members) {
        const { messages } = await member.fetch('?max=25');
        got.get(member)!.push(...messages.map(id));
        await member.commitPast(messages);
      }
      return done(got);
    },
    { what: 'the members to consume', timeoutMs: 20_000 },
  );
  return got;
}

describe('three members on two gateways', () => {
  it('hold disjoint partitions covering the topic, and every record goes to exactly one member', async () => {
    const topic = await stack.createTopic(6);
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name] });
    const b = await Member.join(stack.gateway, group, { topics: [topic.name] });
    const written = await stack.write(topic.name, keyed(150));
    // A third member joins on another gateway while the first two are consuming: partitions move to it.
    const early = await consumeUntil([a, b], (got) => [...got.values()].flat().length >= 30);
    const c = await Member.join(second, group, { topics: [topic.name] });
    const more = await stack.write(topic.name, keyed(150, 150));
    const all = [...written, ...more].map((r) => `${topic.name}/${r.partition}/${r.offset}`);
    const got = await consumeUntil([a, b, c], (late) => [...early.values(), ...late.values()].flat().length >= all.length && [a, b, c].every((m) => m.last.pending.length === 0));

    const delivered = [...early.values(), ...got.values()].flat();
    expect(delivered.sort()).toEqual(all.sort()); // each exactly once: no record missing, none twice
    const holdings = [a, b, c].map((m) => m.holds);
    expect(holdings.flat().sort()).toEqual(Array.from({ length: 6 }, (_, p) => `${topic.name}/${p}`).sort());
    expect(new Set(holdings.flat()).size).toBe(6);
    expect(new Set([a, b, c].map((m) => m.last.generation)).size).toBe(1);
  });
});

describe('fencing', () => {
  it('refuses, all or nothing, a commit for partitions the member released; the new holder gets those records again', async () => {
    const topic = await stack.createTopic(4);
    await stack.write(topic.name, keyed(40));
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name], member: 'a' });
    const fetched = (await a.fetch('?max=100')).messages;
    expect(fetched).toHaveLength(40);

    const b = await Member.join(second, group, { topics: [topic.name], member: 'b' });
    await a.heartbeat(); // a sees the new assignment and releases b's partitions
    const moved = b.last.assignment[0]!.partitions;
    expect(moved).toHaveLength(2); // 4 partitions, 2 members: 2 each

    const ends = [0, 1, 2, 3].map((partition) => ({ topic: topic.name, partition, offset: fetched.filter((m) => m.partition === partition).length }));
    const stale = await api.commit(group, a.id, ends);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'NOT_PARTITION_OWNER', message: expect.stringContaining(topic.name) });

    // Nothing was committed, so b gets every record of its partitions from the start.
    const redelivered = await waitFor(async () => {
      const { messages, pending } = await b.fetch('?max=100');
      return pending.length === 0 && messages.length > 0 ? messages : undefined;
    });
    expect(new Set(redelivered.map((m) => m.partition))).toEqual(new Set(moved));
    expect(redelivered.map(id).sort()).toEqual(fetched.filter((m) => moved.includes(m.partition)).map(id).sort());
    expect(redelivered.every((m) => m.delivery_count === 2)).toBe(true);
    // a still commits the partitions it kept.
    await a.commitPast(fetched.filter((m) => !moved.includes(m.partition)));
  });

  it('refuses a member whose session expired (404 UNKNOWN_MEMBER): it must join again', async () => {
    const topic = await stack.createTopic(1);
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name], session_timeout_ms: 1_000 });
    // Nothing is sent for the member: the gateways' session sweep removes it.
    await waitFor(async () => !(await stack.redis.hexists(groupKeys(group).members, a.id)), { what: 'the sweep to remove the member' });
    for (const response of [
      await api.commit(group, a.id, [{ topic: topic.name, partition: 0, offset: 0 }]),
      await api.fetch(group, a.id),
      await api.leave(group, a.id),
    ]) {
      expect(response.json()).toMatchObject({ statusCode: 404, code: 'UNKNOWN_MEMBER' });
    }
  });

  it('a member rejoining under its name fences its earlier self and gets the same partitions back', async () => {
    const topic = await stack.createTopic(8);
    const group = uniqueName('g');
    const other = await Member.join(stack.gateway, group, { topics: [topic.name], member: 'other' });
    const first = await Member.join(stack.gateway, group, { topics: [topic.name], member: 'worker-1' });
    const again = await Member.join(second, group, { topics: [topic.name], member: 'worker-1' });
    expect(again.id).not.toBe(first.id);
    expect(again.last.assignment).toEqual(first.last.assignment);
    expect((await api.heartbeat(group, first.id)).json()).toMatchObject({ code: 'UNKNOWN_MEMBER' });
    await other.heartbeat();
    expect((await again.heartbeat()).pending).toEqual([]);
  });
});

describe('fetching', () => {
  it('commit=auto commits what the previous fetch answered (at-least-once), at the next fetch', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, keyed(6));
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name] });
    expect((await a.fetch('?max=4&commit=auto')).messages.map((m) => m.offset)).toEqual([0, 1, 2, 3]);
    expect((await describeGroup(group)).partitions[0].committed_offset).toBeNull();
    expect((await a.fetch('?max=4&commit=auto')).messages.map((m) => m.offset)).toEqual([4, 5]);
    expect((await describeGroup(group)).partitions[0].committed_offset).toBe(4);
  });

  it('from=latest starts a new group after the records already there, and pins that point', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, keyed(3));
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name], from: 'latest' });
    expect((await a.fetch()).messages).toEqual([]);
    await stack.write(topic.name, keyed(1, 3));
    await a.leave();
    // The next member (starting from earliest) resumes where the group started: nothing before it.
    const b = await Member.join(stack.gateway, group, { topics: [topic.name] });
    expect((await b.fetch()).messages.map((m) => m.offset)).toEqual([3]);
  });

  it('long-polls: a record written to a held partition ends the wait; messages carry their delivery count', async () => {
    const topic = await stack.createTopic(2);
    const group = uniqueName('g');
    const a = await Member.join(second, group, { topics: [topic.name] });
    const waiting = a.fetch('?wait_ms=20000');
    await waitFor(() => second.waiters.stats.waiters > 0, { what: 'the fetch to wait' });
    const [written] = await stack.write(topic.name, [{ key: 'late', value: { x: 1 }, headers: { h: 'v' } }]);
    expect((await waiting).messages).toEqual([
      { topic: topic.name, partition: written!.partition, delivery_count: 1, offset: 0, timestamp: written!.timestamp, key: 'late', headers: { h: 'v' }, value: { x: 1 } },
    ]);
  });
});

async function describeGroup(group: string) {
  const response = await api.describe(group);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('group routes', () => {
  it('GET /groups and GET /groups/:group: members, generation, assignment, committed offsets and lag', async () => {
    const topic = await stack.createTopic(2);
    const written = await stack.write(topic.name, keyed(10));
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name], member: 'solo', session_timeout_ms: 5_000 });
    const { messages } = await a.fetch('?max=4');
    await a.commitPast(messages);

    expect((await api.list()).json().groups).toContainEqual({ group, generation: 1, members: 1, state: 'stable' });
    const described = await describeGroup(group);
    expect(described).toMatchObject({
      group,
      generation: 1,
      config: { max_deliveries: 5, retry_delay_ms: 1000, dead_letter_topic: '{topic}.dlq' },
      members: [{ member_id: a.id, name: 'solo', topics: [topic.name], from: 'earliest', session_timeout_ms: 5_000, assignment: [{ topic: topic.name, partitions: [0, 1] }] }],
      lag: 6,
    });
    const highWatermarks = [0, 1].map((p) => written.filter((r) => r.partition === p).length);
    expect(described.partitions).toEqual(
      [0, 1].map((partition) => {
        const committed = messages.filter((m) => m.partition === partition).length;
        return {
          topic: topic.name,
          partition,
          assigned_to: a.id,
          holder: a.id,
          committed_offset: committed === 0 ? null : committed,
          log_start_offset: 0,
          high_watermark: highWatermarks[partition],
          lag: highWatermarks[partition]! - committed,
          nacked: 0,
        };
      }),
    );
    expect((await api.describe(uniqueName('nope'))).json()).toMatchObject({ statusCode: 404, code: 'GROUP_NOT_FOUND' });
  });

  it('resets offsets and deletes a group only while it has no members (409 GROUP_NOT_EMPTY)', async () => {
    const topic = await stack.createTopic(2);
    await stack.write(topic.name, keyed(10));
    const group = uniqueName('g');
    const a = await Member.join(stack.gateway, group, { topics: [topic.name] });
    await a.commitPast((await a.fetch('?max=100')).messages);

    expect((await api.resetOffsets(group, { to: 'earliest' })).json()).toMatchObject({ statusCode: 409, code: 'GROUP_NOT_EMPTY' });
    expect((await api.remove(group)).json()).toMatchObject({ statusCode: 409, code: 'GROUP_NOT_EMPTY' });
    await a.leave();

    const reset = await api.resetOffsets(group, { to: 'earliest' });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().offsets).toEqual([0, 1].map((partition) => ({ topic: topic.name, partition, offset: 0 })));
    expect((await api.resetOffsets(group, { offsets: [{ topic: topic.name, partition: 1, offset: 1 }] })).statusCode).toBe(200);
    expect((await describeGroup(group)).partitions.map((p: { committed_offset: number }) => p.committed_offset)).toEqual([0, 1]);
    const b = await Member.join(stack.gateway, group, { topics: [topic.name] });
    expect((await b.fetch('?max=100')).messages).toHaveLength(9);
    await b.leave();

    expect((await api.resetOffsets(group, { to: 'latest', topics: [topic.name] })).statusCode).toBe(200);
    expect((await describeGroup(group)).lag).toBe(0);
    expect((await api.resetOffsets(group, { to: 'earliest', timestamp: 0 })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect((await api.resetOffsets(group, { offsets: [{ topic: topic.name, partition: 0, offset: 99 }] })).json()).toMatchObject({ code: 'INVALID_OFFSET' });

    expect((await api.remove(group)).json()).toEqual({ group, deleted: true });
    expect((await api.describe(group)).statusCode).toBe(404);
    expect((await api.list()).json().groups.map((g: { group: string }) => g.group)).not.toContain(group);
    expect((await api.remove(group)).json()).toMatchObject({ statusCode: 404, code: 'GROUP_NOT_FOUND' });
  });

  it('PUT /groups/:group/config sets max_deliveries, retry_delay_ms and the dead-letter topic (null: off)', async () => {
    const group = uniqueName('g');
    const response = await api.configure(group, { max_deliveries: 2, dead_letter_topic: 'errors.{topic}' });
    expect(response.json()).toEqual({ group, config: { max_deliveries: 2, retry_delay_ms: 1000, dead_letter_topic: 'errors.{topic}' } });
    expect((await api.configure(group, { dead_letter_topic: null, retry_delay_ms: 50 })).json().config).toEqual({
      max_deliveries: 2,
      retry_delay_ms: 50,
      dead_letter_topic: null,
    });
    expect((await api.configure(group, { max_deliveries: 0 })).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect((await api.configure(group, { dead_letter_topic: 'a{b}' })).json()).toMatchObject({ statusCode: 400 });
  });

  it('validates joins and answers UNKNOWN_MEMBER for members it does not know', async () => {
    const topic = await stack.createTopic(1);
    const group = uniqueName('g');
    for (const body of [{}, { topics: [topic.name], pattern: 'x*' }, { topics: [] }, { topics: [topic.name], session_timeout_ms: 10 }, { pattern: 'a{b}' }]) {
      expect((await api.join(group, body)).json(), JSON.stringify(body)).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    }
    expect((await api.join(group, { topics: [uniqueName('missing')] })).json()).toMatchObject({ statusCode: 404, code: 'TOPIC_NOT_FOUND' });
    expect((await api.join('-bad', { topics: [topic.name] })).statusCode).toBe(400);
    for (const response of [await api.fetch(group, 'nobody-1'), await api.heartbeat(group, 'nobody-1'), await api.leave(group, 'nobody-1')]) {
      expect(response.json()).toMatchObject({ statusCode: 404, code: 'UNKNOWN_MEMBER' });
    }
  });
});
