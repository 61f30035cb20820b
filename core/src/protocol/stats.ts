// GET /stats: the whole cluster at a glance — what was published and consumed, how fast, and what exists.
import { Type, type Static } from '@sinclair/typebox';

export const ClusterStats = Type.Object({
  published_total: Type.Integer({ description: 'records stored by writes (duplicates not counted) since the cluster began counting' }),
  consumed_total: Type.Integer({ description: 'records delivered to consumers: email reads and group fetches, redeliveries included' }),
  published_per_second: Type.Number({ description: 'mean over the last minute, every broker together' }),
  consumed_per_second: Type.Number({ description: 'mean over the last minute, every gateway together' }),
  topics: Type.Integer(),
  active_topics: Type.Integer({ description: 'topics with a record written in the last 5 minutes' }),
  partitions: Type.Integer(),
  records_stored: Type.Integer({ description: 'records kept now, every topic and partition (retention drops old ones)' }),
  subscriptions: Type.Object({
    emails: Type.Integer({ description: 'email subscriptions, summed over topics' }),
    groups: Type.Integer({ description: 'consumer groups' }),
  }),
  measured_at: Type.String({ description: 'ISO 8601; the answer is cached for a second' }),
});
export type ClusterStats = Static<typeof ClusterStats>;
