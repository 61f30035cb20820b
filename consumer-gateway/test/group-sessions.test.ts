// A member that stops heartbeating: its session expires (the sweep removes it though nothing is sent for it),
// its partitions go to the member left, which gets everything the dead one had not committed and nothing it had.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { groupKeys } from '@tributary/core';
import { uniqueName, waitFor } from '@tributary/testkit';
import { Member, type GroupMessage } from './group-client.js';
import { Stack } from './stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start();
});
afterAll(async () => {
  await stack?.close();
});

const id = ({ topic, partition, offset }: GroupMessage) => `${topic}/${partition}/${offset}`;

it('moves a silent member’s partitions after its session timeout: nothing committed comes again, nothing uncommitted is lost', async () => {
  const topic = await stack.createTopic(4);
  const written = await stack.write(topic.name, Array.from({ length: 80 }, (_, i) => ({ key: `k${i}`, value: i })));
  const group = uniqueName('g');
  const second = await stack.addGateway();
  const dying = await Member.join(stack.gateway, group, { topics: [topic.name], member: 'dying', session_timeout_ms: 1_000 });

  // The dying member fetches everything (it holds every partition), commits only part of it, and goes silent.
  const fetched = (await dying.fetch('?max=1000')).messages;
  expect(fetched).toHaveLength(written.length);
  const byPartition = new Map<number, GroupMessage[]>();
  for (const m of fetched) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
  // Commit a prefix of each partition: the first half of what was fetched from it.
  const commitPrefix = [...byPartition.values()].flatMap((messages) => messages.slice(0, Math.ceil(messages.length / 2)));
  await dying.commitPast(commitPrefix);
  const survivor = await Member.join(second, group, { topics: [topic.name], member: 'survivor', session_timeout_ms: 2_000 });

  // The survivor keeps fetching and committing; the dead member's partitions come to it once its session
  // has expired (no request is sent for the dead member: the gateways' sweep removes it).
  const got: GroupMessage[] = [];
  await waitFor(
    async () => {
      const { messages } = await survivor.fetch('?max=100&wait_ms=200');
      got.push(...messages);
      await survivor.commitPast(messages);
      return survivor.holds.length === 4 && got.length + commitPrefix.length >= written.length;
    },
    { what: 'the survivor to take over and read everything', timeoutMs: 20_000 },
  );
  expect(await stack.redis.hexists(groupKeys(group).members, dying.id)).toBe(0);

  const gotIds = got.map(id);
  expect(new Set(gotIds).size).toBe(gotIds.length); // nothing twice
  for (const m of commitPrefix) expect(gotIds).not.toContain(id(m)); // nothing committed delivered again
  const all = written.map((r) => `${topic.name}/${r.partition}/${r.offset}`);
  expect([...gotIds, ...commitPrefix.map(id)].sort()).toEqual(all.sort()); // nothing lost
  // What the dead member fetched and did not commit came again, as a redelivery.
  const uncommitted = new Set(fetched.filter((m) => !commitPrefix.includes(m)).map(id));
  expect(got.filter((m) => uncommitted.has(id(m))).every((m) => m.delivery_count === 2)).toBe(true);
  expect(got.filter((m) => uncommitted.has(id(m)))).toHaveLength(uncommitted.size);
});
