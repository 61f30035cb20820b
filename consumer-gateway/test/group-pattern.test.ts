// Pattern subscriptions: a group subscribed to `<prefix>.*` picks up a matching topic created later (a waiting
// fetch hears of it from the topic cache), drops a deleted one, and never consumes its own dead-letter topics.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName, waitFor } from '@tributary/testkit';
import { Member } from './group-client.js';
import { Stack } from './stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start();
});
afterAll(async () => {
  await stack?.close();
});

it('picks up a new matching topic while waiting, drops a deleted one, and leaves dead-letter topics alone', async () => {
  const prefix = uniqueName('game');
  const scores = await stack.createTopic(2, undefined, `${prefix}.scores`);
  await stack.createTopic(1, undefined, `${prefix}.scores.dlq`);
  await stack.createTopic(1, undefined, `other-${prefix}.scores`);
  const member = await Member.join(stack.gateway, uniqueName('g'), { pattern: `${prefix}.*` });
  expect(member.last.assignment).toEqual([{ topic: scores.name, partitions: [0, 1] }]);

  // A fetch waits; a topic created meanwhile that matches is assigned, and its first record ends the wait.
  const waiting = member.fetch('?wait_ms=20000');
  await waitFor(() => stack.gateway.waiters.stats.waiters > 0, { what: 'the fetch to wait' });
  const levels = await stack.createTopic(1, undefined, `${prefix}.levels`);
  await waitFor(async () => (await stack.gateway.app.inject({ method: 'GET', url: `/groups/${member.group}` })).json().partitions.some((p: { topic: string; holder: string | null }) => p.topic === levels.name && p.holder === member.id), {
    what: 'the member to take the new topic',
  });
  await stack.write(levels.name, [{ key: 'l', value: 'up' }]);
  const got = await waiting;
  expect(got.messages).toMatchObject([{ topic: levels.name, partition: 0, offset: 0, value: 'up' }]);
  expect(got.assignment).toEqual([
    { topic: levels.name, partitions: [0] },
    { topic: scores.name, partitions: [0, 1] },
  ]);

  await stack.deleteTopic(levels.name);
  await stack.gatewayKnows(levels.name, undefined);
  expect((await member.heartbeat()).assignment).toEqual([{ topic: scores.name, partitions: [0, 1] }]);
});
