// Rendezvous (highest-random-weight) assignment of a consumer group's partitions to its members: a partition
// belongs to the member, among those subscribed to its topic, with the highest weight of (group, topic,
// partition, member name). Every gateway computes the same assignment from the same member list, with no
// coordination, and a member joining or leaving moves only the partitions it gains or loses: every other
// partition's highest weight is unchanged.
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

/** The candidate with the highest weight for the partition (ties, 1 in 2^32, go to the greater name). */
export function rendezvousOwner<M extends Pick<AssignableMember, 'name'>>(
  group: string,
  topic: string,
  partition: number,
  candidates: readonly M[],
): M | undefined {
  let best: M | undefined;
  let bestWeight = -1;
  for (const candidate of candidates) {
    const weight = rendezvousWeight(group, topic, partition, candidate.name);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && candidate.name > best.name)) {
      best = candidate;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * Every member's partitions, by member id (members with none map to []). A topic's partitions go only to the
 * members subscribed to it; a topic nobody subscribes to is left out.
 */
export function assignPartitions(
  group: string,
  topics: readonly AssignableTopic[],
  members: readonly AssignableMember[],
): Map<string, TopicPartitions[]> {
  const assignment = new Map<string, TopicPartitions[]>(members.map((member) => [member.id, []]));
  for (const topic of topics) {
    const candidates = members.filter((member) => member.subscribes(topic.name));
    if (candidates.length === 0) continue;
    const owned = new Map<string, number[]>();
    for (let partition = 0; partition < topic.partitions; partition++) {
      const owner = rendezvousOwner(group, topic.name, partition, candidates)!;
      const partitions = owned.get(owner.id);
      if (partitions) partitions.push(partition);
      else owned.set(owner.id, [partition]);
    }
    for (const [id, partitions] of owned) assignment.get(id)!.push({ topic: topic.name, partitions });
  }
  return assignment;
}
