import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignPartitions, rendezvousOwner, rendezvousWeight, type AssignableMember } from './rendezvous.js';

const member = (name: string, topics?: readonly string[]): AssignableMember => ({
  id: `${name}-id`,
  name,
  subscribes: (topic) => topics === undefined || topics.includes(topic),
});

/** partition key -> owner name, for comparing two assignments. */
function owners(assignment: Map<string, Array<{ topic: string; partitions: number[] }>>): Map<string, string> {
  const result = new Map<string, string>();
  for (const [id, topics] of assignment) {
    for (const { topic, partitions } of topics) for (const p of partitions) result.set(`${topic}/${p}`, id);
  }
  return result;
}

describe('rendezvous weights', () => {
  it('are the pinned reference values (gateways of every version must agree)', () => {
    expect([
      rendezvousWeight('g', 'orders', 0, 'a'),
      rendezvousWeight('g', 'orders', 1, 'a'),
      rendezvousWeight('billing', 'game.scores', 7, 'worker-2'),
    ]).toEqual([3147875316, 2090158618, 2005323341]);
  });

  it('spread partitions about evenly', () => {
    const members = ['a', 'b', 'c'].map((name) => member(name));
    const counts = new Map<string, number>();
    for (let p = 0; p < 3_000; p++) {
      const owner = rendezvousOwner('g', 't', p, members)!.name;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
  });
});

const names = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 8 });
const topicList = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,5}$/), partitions: fc.integer({ min: 1, max: 24 }) }), {
  minLength: 1,
  maxLength: 4,
  selector: (topic) => topic.name,
});

describe('assignPartitions', () => {
  it('gives every partition exactly one owner among the members subscribed to its topic', () => {
    fc.assert(
      fc.property(names, topicList, fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }), (memberNames, topics, picks) => {
        // Each member subscribes to some of the topics.
        const members = memberNames.map((name, i) => member(name, topics.filter((_, t) => picks[(i * 4 + t) % 32]).map((t) => t.name)));
        const assigned = owners(assignPartitions('g', topics, members));
        for (const topic of topics) {
          const subscribed = members.filter((m) => m.subscribes(topic.name));
          for (let p = 0; p < topic.partitions; p++) {
            const owner = assigned.get(`${topic.name}/${p}`);
            if (subscribed.length === 0) expect(owner).toBeUndefined();
            else expect(subscribed.map((m) => m.id)).toContain(owner);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('moves only the partitions a joining member gains, or a leaving member had', () => {
    fc.assert(
      fc.property(names, topicList, fc.stringMatching(/^[A-Z]{1,4}$/), (memberNames, topics, newcomer) => {
        const before = memberNames.map((name) => member(name));
        const after = [...before, member(newcomer)];
        const was = owners(assignPartitions('g', topics, before));
        const now = owners(assignPartitions('g', topics, after));
        for (const [partition, owner] of now) {
          if (owner !== was.get(partition)) expect(owner).toBe(`${newcomer}-id`);
        }
        // And a member leaving: exactly the partitions it had move, each to someone still there.
        const leaver = after[0]!;
        const left = owners(assignPartitions('g', topics, after.slice(1)));
        for (const [partition, owner] of now) {
          if (owner === leaver.id) expect(left.get(partition)).not.toBe(leaver.id);
          else expect(left.get(partition)).toBe(owner);
        }
      }),
      { numRuns: 300 },
    );
  });
});
