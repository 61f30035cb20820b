// The lookups every consumer route starts from. Topics come from the in-process cache (no ZooKeeper round
// trip, docs/invariants.md I5); a topic deleted a moment ago may still be cached, so partition states are checked too.
import { topicNotFound, type LogStore, type PartitionOffsets, type Topic, type TopicCache } from '@tributary/core';

export { checkPartition } from '@tributary/core';

/** The topic as this gateway knows it, or TOPIC_NOT_FOUND. */
export function liveTopic(topics: TopicCache, name: string): Topic {
  const topic = topics.get(name);
  if (!topic) throw topicNotFound(name);
  return topic;
}

/** Every partition's offsets; TOPIC_NOT_FOUND if the topic was deleted meanwhile. */
export async function liveOffsets(logs: LogStore, topic: Topic): Promise<PartitionOffsets[]> {
  const offsets = await logs.allOffsets(topic);
  if (offsets.some((p) => p.deleted)) throw topicNotFound(topic.name);
  return offsets;
}

/** Records left to read from `committed` (the log start if none, or if retention passed it) to the end. */
export const lagOf = ({ logStartOffset, nextOffset }: PartitionOffsets, committed: number | undefined): number =>
  nextOffset - Math.max(committed ?? logStartOffset, logStartOffset);
