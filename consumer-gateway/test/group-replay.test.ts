// A replay into a consumer group (POST /replay with target {"group": ...}): the matching records reach that
// group's members, through the group's replay topic, and no other group.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayTopicName, type ReplayAnswer } from '@tributary/core';
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

/** Fetches and commits until nothing more comes; answers everything fetched. */
async function drain(member: Member): Promise<GroupMessage[]> {
  const all: GroupMessage[] = [];
  for (;;) {
    const { messages } = await member.fetch('?max=100');
    if (messages.length === 0) return all;
    all.push(...messages);
    await member.commitPast(messages);
  }
}

it('delivers the replayed records to the group named, from its replay topic, and to no other group', async () => {
  const topic = await stack.createTopic(2);
  await stack.write(topic.name, Array.from({ length: 10 }, (_, n) => ({ key: `k${n}`, value: { n, kind: n % 2 === 0 ? 'even' : 'odd' } })));
  const [group, other] = [uniqueName('g'), uniqueName('g')];
  const member = await Member.join(stack.gateway, group, { topics: [topic.name], from: 'latest' });
  const bystander = await Member.join(stack.gateway, other, { pattern: '*' });
  expect(await drain(member)).toEqual([]);
  expect((await drain(bystander)).length).toBe(10);

  const created = await stack.broker.app.inject({ method: 'POST', url: '/replay', payload: { topic: topic.name, target: { group }, filter: { kind: 'even' } } });
  expect(created.statusCode, created.body).toBe(202);
  const replay = created.json() as ReplayAnswer;
  expect(replay.target).toEqual({ topic: replayTopicName(group), group });
  await waitFor(async () => (await stack.broker.app.inject({ method: 'GET', url: `/replay/${replay.replay_id}` })).json().status === 'completed', {
    what: 'the replay to complete',
  });

  // The member (which joined "from latest") gets every replayed record, from the replay topic's first one.
  const replayed = await waitFor(async () => {
    const got = await drain(member);
    return got.length > 0 ? got : undefined;
  }, { what: 'the member to get the replayed records' });
  expect(replayed.every((m) => m.topic === replayTopicName(group) && m.headers['replay-of']?.startsWith(`${topic.name}/`))).toBe(true);
  expect(replayed.map((m) => (m.value as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8]);
  expect(member.last.assignment.map((a) => a.topic).sort()).toEqual([replayTopicName(group), topic.name].sort());
  // The other group, though its pattern matches every topic, sees none of it.
  expect(await drain(bystander)).toEqual([]);
  expect(bystander.last.assignment.map((a) => a.topic)).toEqual([topic.name]);

  const unknown = await stack.broker.app.inject({ method: 'POST', url: '/replay', payload: { topic: topic.name, target: { group: uniqueName('nobody') } } });
  expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'GROUP_NOT_FOUND' });
});
