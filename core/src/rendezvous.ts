// Assignment of a consumer group's partitions to its members: rendezvous (highest-random-weight) hashing with
// bounded loads. Each (partition, member) pair has a weight, a hash of (group, topic, partition, member name);
// going through all pairs from the heaviest down, a partition goes to the member of its pair unless it is
// already placed or the member already holds its share (⌊P/M⌋ partitions of the topic, or one more for the
// first P mod M members to reach that). Every gateway computes the same assignment from the same member list,
// with no coordination; members' shares differ by at most one, as with Kafka's assignors; and a membership
// change moves few partitions: most keep their highest-weight member, and the rest go to their next heaviest.
//
// The weight is part of the wire contract between gateways: two versions that weighed differently would
// disagree about owners (leases keep that safe, docs/invariants.md I10, but partitions would shuttle). Never change it;
// rendezvous.test.ts pins reference values.
import murmurhash from 'murmurhash';

const SEED = 0x7472_6962; // "trib"

export interface AssignableTopic {
  readonly name: string;
  readonly partitions: number;
}

export interface AssignableMember {
  readonly id: string;
  /** What the weight hashes: a member that rejoins under the same name gets the same partitions back. */
  readonly name: string;
  subscribes(topic: string): boolean;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** 32-bit weight of (group, topic, partition, member name); the names are ASCII (their schemas say so). */
export function rendezvousWeight(group: string, topic: string, partition: number, member: string): number {
  return murmurhash.v3(`${group}\u0000${topic}\u0000${partition}\u0000${member}`, SEED);
}

/**
 * Every member's partitions, by member id (members with none map to []). A topic's partitions go only to the
 * members subscribed to it, balanced among them; a topic nobody subscribes to is left out.
 */
export function assignPartitions(
  group: string,
  topics: readonly AssignableTopic[],
  members: readonly AssignableMember[],
): Map<string, TopicPartitions[]> {
  const assignment = new Map<string, TopicPartitions[]>(members.map((member) => [member.id, []]));
  for (const topic of topics) {
    // By name, so that pair indexes (the tie-break) are the same on every gateway whatever the list's order.
    const candidates = members.filter((member) => member.subscribes(topic.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (candidates.length === 0) continue;
    const owners = boundedOwners(group, topic, candidates);
    const owned = new Map<string, number[]>();
    owners.forEach((m, partition) => {
      const id = candidates[m]!.id;
      const partitions = owned.get(id);
      if (partitions) partitions.push(partition);
      else owned.set(id, [partition]);
    });
    for (const [id, partitions] of owned) assignment.get(id)!.push({ topic: topic.name, partitions });
  }
  return assignment;
}

/** Per partition, the index in `candidates` of its owner; see the top of this file. */
function boundedOwners(group: string, topic: AssignableTopic, candidates: readonly Pick<AssignableMember, 'name'>[]): Int32Array {
  const members = candidates.length;
  const share = Math.floor(topic.partitions / members);
  const extra = topic.partitions % members; // how many members hold share + 1
  const weights = new Uint32Array(topic.partitions * members);
  const pairs = new Uint32Array(weights.length); // pair = partition * members + member
  for (let pair = 0; pair < pairs.length; pair++) {
    weights[pair] = rendezvousWeight(group, topic.name, Math.floor(pair / members), candidates[pair % members]!.name);
    pairs[pair] = pair;
  }
  // Heaviest first; equal weights (they do occur across thousands of pairs) by the greater pair index: for one
  // partition, the greater name.
  pairs.sort((a, b) => weights[b]! - weights[a]! || b - a);

  const owners = new Int32Array(topic.partitions).fill(-1);
  const held = new Uint32Array(members);
  let membersWithExtra = 0;
  let placed = 0;
  for (const pair of pairs) {
    const partition = Math.floor(pair / members);
    const member = pair % members;
    if (owners[partition] !== -1) continue;
    const count = held[member]!;
    if (count === share + 1 || (count === share && membersWithExtra === extra)) continue;
    owners[partition] = member;
    held[member] = count + 1;
    if (count + 1 === share + 1) membersWithExtra++;
    if (++placed === topic.partitions) break;
  }
  return owners;
}
