// A property test over random sequences of joins, leaves and session expiries, against real Redis through two
// gateways: at every step each partition has exactly one holder among the live members, no two members ever
// hold one partition, the holders are what the assignment (core/rendezvous.ts) says, and a change moves exactly
// the partitions whose assigned owner changed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignPartitions, connectRedis, createRedis, GroupStore, groupKeys, type RedisClient } from '@tributary/core';
import { testConfig, uniqueName } from '@tributary/testkit';
import type { Gateway } from '../src/index.js';
import { Member } from './group-client.js';
import { Stack } from './stack.js';

const PARTITIONS = 8;
const NAMES = ['m0', 'm1', 'm2', 'm3', 'm4'];

let stack: Stack;
let gateways: Gateway[];
let redis: RedisClient;
let store: GroupStore;
let topic: string;

beforeAll(async () => {
  stack = await Stack.start();
  gateways = [stack.gateway, await stack.addGateway()];
  topic = (await stack.createTopic(PARTITIONS)).name;
  redis = createRedis(testConfig(), { name: 'group-property-test' });
  await connectRedis(redis, testConfig());
  store = new GroupStore(redis);
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
});

type Op = { kind: 'join'; name: string; gateway: number } | { kind: 'leave' | 'expire'; pick: number };

const ops = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), name: fc.constantFrom(...NAMES), gateway: fc.integer({ min: 0, max: 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
  ),
  { minLength: 1, maxLength: 8 },
);

/** Partition -> member name, as the assignment gives the topic to `names`. */
function rendezvous(group: string, names: readonly string[]): Map<number, string> {
  const assigned = assignPartitions(group, [{ name: topic, partitions: PARTITIONS }], names.map((name) => ({ id: name, name, subscribes: () => true })));
  const owners = new Map<number, string>();
  for (const [name, topics] of assigned) for (const { partitions } of topics) for (const p of partitions) owners.set(p, name);
  return owners;
}

const held = (member: Member) => member.holds.map((p) => Number(p.slice(p.lastIndexOf('/') + 1)));

/**
 * Every live member heartbeats until none waits for a partition. A heartbeat may take only partitions that were
 * free just before it (their holder released them, left or expired), and no two members ever say they hold one.
 */
async function settle(group: string, live: Map<string, Member>): Promise<void> {
  for (let round = 0; round < 6; round++) {
    // Newest member first on even rounds: a new owner asks before the old holder has released.
    const order = [...live];
    if (round % 2 === 0) order.reverse();
    for (const [name, member] of order) {
      const before = await holders(group, live);
      await member.heartbeat();
      const after = await holders(group, live);
      for (const [partition, holder] of after) {
        if (holder === name && before.get(partition) !== name) expect(before.get(partition), `${name} took partition ${partition} from its holder`).toBeUndefined();
      }
    }
    const claimed = [...live.values()].flatMap(held);
    expect(new Set(claimed).size, 'two members hold one partition').toBe(claimed.length);
    if ([...live.values()].every((m) => m.last.pending.length === 0)) return;
  }
  throw new Error('the members did not settle');
}

/** Partition -> name of its holder, from the group's description. */
async function holders(group: string, live: Map<string, Member>): Promise<Map<number, string>> {
  const byId = new Map([...live].map(([name, member]) => [member.id, name]));
  const described = (await gateways[0]!.app.inject({ method: 'GET', url: `/groups/${group}` })).json();
  const result = new Map<number, string>();
  for (const { partition, holder } of (described.partitions ?? []) as Array<{ partition: number; holder: string | null }>) {
    if (holder !== null) {
      expect(byId.has(holder), `partition ${partition} is held by ${holder}, not a live member`).toBe(true);
      result.set(partition, byId.get(holder)!);
    }
  }
  return result;
}

it('each partition has exactly one holder among the live members at every step, and changes move only what the assignment moves', async () => {
  await fc.assert(
    fc.asyncProperty(ops, async (sequence: Op[]) => {
      const group = uniqueName('prop');
      const live = new Map<string, Member>();
      let before = new Map<number, string>();
      try {
        for (const op of sequence) {
          const names = [...live.keys()];
          if (op.kind === 'join') {
            // Joining under a live member's name replaces (fences) that member.
            const held = await holders(group, live);
            live.set(op.name, await Member.join(gateways[op.gateway]!, group, { topics: [topic], member: op.name, session_timeout_ms: 30_000 }));
            // A join takes only free partitions (or its own name's, whose earlier member it fenced).
            for (const [partition, holder] of await holders(group, live)) {
              if (holder === op.name) expect([undefined, op.name], `${op.name} took partition ${partition} at its join`).toContain(held.get(partition));
            }
          } else if (names.length > 0) {
            const leaving = names[op.pick % names.length]!;
            const member = live.get(leaving)!;
            live.delete(leaving);
            if (op.kind === 'leave') await member.leave();
            else {
              // Its session ends now: as if it had stopped heartbeating that long ago. Then one sweep step.
              await redis.zadd(groupKeys(group).sessions, 1, member.id);
              await store.expire(group);
            }
          }
          if (live.size === 0) {
            before = new Map();
            continue;
          }
          await settle(group, live);
          const now = await holders(group, live);
          const expected = rendezvous(group, [...live.keys()]);
          expect(now).toEqual(expected);
          const moved = [...Array(PARTITIONS).keys()].filter((p) => before.get(p) !== now.get(p));
          const wasExpected = before.size === 0 ? new Map<number, string>() : rendezvous(group, names);
          expect(moved).toEqual([...Array(PARTITIONS).keys()].filter((p) => wasExpected.get(p) !== expected.get(p)));
          // A rejoin under a live name moves nothing.
          if (op.kind === 'join' && names.includes(op.name)) expect(moved).toEqual([]);
          before = now;
        }
      } finally {
        for (const member of live.values()) await member.api.leave(group, member.id);
      }
    }),
    { numRuns: 25 },
  );
});
