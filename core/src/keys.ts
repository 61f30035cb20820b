// Every Redis key, pub/sub channel and ZooKeeper path Tributary uses is built here and nowhere else.
//
// Redis — one partition's keys share the hash tag {<topicId>:<partition>}, so a partition lives on one
// Redis Cluster shard and one script can touch all of them:
//   trib:{<topicId>:<p>}:state           hash   next (next offset), start (log-start offset),
//                                               last_ts (newest append time, ms), deleted (set by delete_topic)
//   trib:{<topicId>:<p>}:seg:<base>      list   records base .. base+S-1, S = the topic's segmentRecords;
//                                               bases are multiples of S, so offset o is at index o % S of
//                                               segment o - o % S (docs/invariants.md I3)
//   trib:{<topicId>:<p>}:segments        zset   member = base offset, score = append time of its first record
//   trib:{<topicId>:<p>}:appended        shard channel  published with the new next offset after every append
//   trib:{<topicId>:<p>}:ids             hash   record id -> "<offset> <timestamp>" of the record that carried it
//   trib:{<topicId>:<p>}:ids-log         list   the ids in append order, each append's after a header "<count> <time>":
//                                               ids leave the dedup window from its head
//   trib:{<topicId>:<p>}:producer:<id>:<epoch>  string  a Kafka idempotent producer's next sequence on the
//                                               partition; expires after the dedup window without batches
//
// One consumer's keys share the hash tag {<email>} (there may be millions of consumers; none live in ZooKeeper):
//   trib:consumer:{<email>}:subscriptions       hash  topic name -> topic id it subscribed to
//   trib:consumer:{<email>}:offsets:<topic>     hash  partition -> next offset to read
// and who reads a topic, under the topic id's own tag (GET /topics/:topic/consumers; reclaiming a deleted topic):
//   trib:topic:{<topicId>}:emails               set   emails that subscribed to the topic (by this id)
//
// One consumer group's keys share the hash tag {<group>} (group names are [A-Za-z0-9._-], like topic names),
// so every group script touches one slot. A partition of a group is the field "<topicId>:<p>":
//   trib:group:{<g>}:meta         hash  generation (bumped by every membership change), created_at, and the
//                                       group config: max_deliveries, retry_delay_ms, dead_letter_topic
//   trib:group:{<g>}:members      hash  member id -> {name, topics | pattern, session_timeout_ms, from, joined_at}
//   trib:group:{<g>}:sessions     zset  member id -> session deadline (ms, Redis' clock)
//   trib:group:{<g>}:owners       hash  partition -> member id holding it: the lease; a partition is fetched
//                                       only by its holder (docs/invariants.md I10)
//   trib:group:{<g>}:positions    hash  partition -> next offset its holder fetches (goes with the lease)
//   trib:group:{<g>}:offsets      hash  partition -> committed offset, the next to read (Kafka's convention)
//   trib:group:{<g>}:delivered    hash  partition -> past the highest offset ever fetched (below it: redeliveries)
//   trib:group:{<g>}:deliveries   hash  "<topicId>:<p>:<offset>" -> "<count> <last reason>" of a nacked record
//   trib:group:{<g>}:retry:<topicId>:<p>     zset  offset -> when the nacked record is due (again)
//   trib:group:{<g>}:inflight:<topicId>:<p>  zset  offset -> offset: redelivered and not yet acknowledged
//   trib:group:{<g>}:changed      shard channel  published when members or leases change (wakes waiting fetches)
// and every group, under its own tag:
//   trib:{groups}:index           zset  group -> earliest time one of its sessions may expire (+inf: no members)
//
// One Kafka consumer group's keys (the Kafka listener's groups: a namespace of their own, apart from the HTTP
// groups above) share the hash tag {<group>} under `kgroup` (group ids are checked against GROUP_NAME_PATTERN):
//   trib:kgroup:{<g>}:state        hash  generation, phase (empty|joining|syncing|stable), protocol_type,
//                                        protocol, leader, deadline (of the rebalance in progress, ms)
//   trib:kgroup:{<g>}:members      hash  member id -> {client_id, client_host, session_timeout, rebalance_timeout, protocols}
//   trib:kgroup:{<g>}:sessions     zset  member id -> session deadline (ms, Redis' clock)
//   trib:kgroup:{<g>}:joined       set   members that joined the rebalance in progress
//   trib:kgroup:{<g>}:assignments  hash  member id -> the leader's assignment for it (base64)
//   trib:kgroup:{<g>}:offsets      hash  "<topicId>:<p>" -> committed offset
//   trib:kgroup:{<g>}:changed      shard channel  published on every change (wakes waiting JoinGroup/SyncGroup)
// and every Kafka group, under its own tag:
//   trib:{kgroups}:index           set   Kafka groups that ever had a member (ListGroups)
//
// The cluster's own keys share the hash tag {cluster}:
//   trib:{cluster}:broker-heartbeats   hash  broker instance id -> its last heartbeat (ms, the broker's clock),
//                                            written about every second: a killed broker stays registered in
//                                            ZooKeeper until its session times out, but stops beating at once
//   trib:{cluster}:kafka-producer-ids  string  the last producer id InitProducerId handed out (INCR)
//
// Cluster-wide counts for GET /stats share the hash tag {stats} (each broker and gateway adds its own about once
// a second, core/stats.ts):
//   trib:{stats}:totals            hash  published, consumed: records since the cluster began counting
//   trib:{stats}:second:<s>        hash  published, consumed: records counted in that second (Unix seconds, the
//                                        counting process's clock); expires after 3 minutes
//
// One replay's keys share the hash tag {<replayId>} (POST /replay, broker/src/replay.ts):
//   trib:replay:{<id>}:state       hash  spec (the request as JSON, with the topics' ids), status (running |
//                                        completed | failed | cancelled), created_at, finished_at, error,
//                                        scanned, matched, written, and per source partition p: pos:<p> (next
//                                        offset to scan) and end:<p> (the partition's next offset when the
//                                        replay was made: it reads no further); expires a day after it ends
// and every replay, under its own tag:
//   trib:{replays}:index           zset  replay id -> creation time (ms)
//
// One principal's quota counters share the hash tag {<principal>} (AUTH=on; principal names are
// [A-Za-z0-9._@-], so nothing in them is a glob character or breaks the tag):
//   trib:quota:{<principal>}:requests        string  requests in the current 1 s window (@fastify/rate-limit's
//                                                    Redis store: INCR, PEXPIRE on the first)
//   trib:quota:{<principal>}:produce-bytes   hash    level, ts: a leaky bucket of /write body bytes (chargeQuota-1.lua)
//
// ZooKeeper, under the configured root (default /tributary):
//   /topics/<name>              persistent  {id, partitions, config, createdAt}
//   /deleted-topics/<topicId>   persistent  {name, partitions, config, deletedAt, reclaimedAt?}: storage the
//                                           controller reclaims; kept an hour after reclaiming so a delete that
//                                           read this id can tell it is gone (I4)
//   /brokers/ids/<instanceId>   ephemeral   {host, port, startedAt, version}
//   /controller                 ephemeral   {instanceId, epoch, electedAt}: the broker that runs background duties
//   /controller-epoch           persistent  {epoch}: bumped in the same transaction that creates /controller, so
//                                           every controller has a higher epoch than any before it
//   /keys/<keyId>               persistent  {principal, sha256, createdAt}: an API key's id and the SHA-256 of its
//                                           secret, never the key itself
//   /acl/<principal>            persistent  {grants: [{operation, resource}]}
//   /quotas/<principal>         persistent  {requestsPerSec?, produceBytesPerSec?}: the principal's own quotas,
//                                           instead of the configured defaults

const PREFIX = 'trib';

export interface PartitionRef {
  readonly topicId: string;
  readonly partition: number;
}

export interface PartitionKeys {
  readonly state: string;
  readonly segments: string;
  readonly appended: string;
  readonly ids: string;
  readonly idsLog: string;
  segment(baseOffset: number): string;
  producer(producerId: number, epoch: number): string;
}

export function partitionKeys({ topicId, partition }: PartitionRef): PartitionKeys {
  const tag = `${PREFIX}:{${topicId}:${partition}}`;
  return {
    state: `${tag}:state`,
    segments: `${tag}:segments`,
    appended: `${tag}:appended`,
    ids: `${tag}:ids`,
    idsLog: `${tag}:ids-log`,
    segment: (baseOffset) => `${tag}:seg:${baseOffset}`,
    producer: (producerId, epoch) => `${tag}:producer:${producerId}:${epoch}`,
  };
}

export interface ConsumerKeys {
  readonly subscriptions: string;
  offsets(topic: string): string;
}

export function consumerKeys(email: string): ConsumerKeys {
  const tag = `${PREFIX}:consumer:{${email}}`;
  return {
    subscriptions: `${tag}:subscriptions`,
    offsets: (topic) => `${tag}:offsets:${topic}`,
  };
}

/** Who reads a topic: keyed by its id, so a re-created topic starts with none (I4). */
export function topicReaderKeys(topicId: string): { readonly emails: string } {
  return { emails: `${PREFIX}:topic:{${topicId}}:emails` };
}

export interface GroupKeys {
  readonly meta: string;
  readonly members: string;
  readonly sessions: string;
  readonly owners: string;
  readonly positions: string;
  readonly offsets: string;
  readonly delivered: string;
  readonly deliveries: string;
  readonly changed: string;
  retry(partition: PartitionRef): string;
  inflight(partition: PartitionRef): string;
}

/** `group` must already be valid (GROUP_NAME_PATTERN): it goes into the hash tag as it is. */
export function groupKeys(group: string): GroupKeys {
  const tag = `${PREFIX}:group:{${group}}`;
  return {
    meta: `${tag}:meta`,
    members: `${tag}:members`,
    sessions: `${tag}:sessions`,
    owners: `${tag}:owners`,
    positions: `${tag}:positions`,
    offsets: `${tag}:offsets`,
    delivered: `${tag}:delivered`,
    deliveries: `${tag}:deliveries`,
    changed: `${tag}:changed`,
    retry: ({ topicId, partition }) => `${tag}:retry:${topicId}:${partition}`,
    inflight: ({ topicId, partition }) => `${tag}:inflight:${topicId}:${partition}`,
  };
}

export const groupIndexKey = `${PREFIX}:{groups}:index`;

export interface KafkaGroupKeys {
  readonly state: string;
  readonly members: string;
  readonly sessions: string;
  readonly joined: string;
  readonly assignments: string;
  readonly offsets: string;
  readonly changed: string;
}

/** `group` must already be valid (GROUP_NAME_PATTERN): it goes into the hash tag as it is. */
export function kafkaGroupKeys(group: string): KafkaGroupKeys {
  const tag = `${PREFIX}:kgroup:{${group}}`;
  return {
    state: `${tag}:state`,
    members: `${tag}:members`,
    sessions: `${tag}:sessions`,
    joined: `${tag}:joined`,
    assignments: `${tag}:assignments`,
    offsets: `${tag}:offsets`,
    changed: `${tag}:changed`,
  };
}

export const kafkaGroupIndexKey = `${PREFIX}:{kgroups}:index`;

export const clusterKeys = Object.freeze({
  brokerHeartbeats: `${PREFIX}:{cluster}:broker-heartbeats`,
  kafkaProducerIds: `${PREFIX}:{cluster}:kafka-producer-ids`,
});

/** `id` is one Tributary made (hex): it goes into the hash tag as it is. */
export const replayKeys = (id: string): { readonly state: string } => ({ state: `${PREFIX}:replay:{${id}}:state` });

export const replayIndexKey = `${PREFIX}:{replays}:index`;

export const statsKeys = Object.freeze({
  totals: `${PREFIX}:{stats}:totals`,
  second: (second: number) => `${PREFIX}:{stats}:second:${second}`,
});

export interface QuotaKeys {
  readonly requests: string;
  readonly produceBytes: string;
}

/** `principal` must already be valid (auth/principal.ts): it goes into the hash tag as it is. */
export function quotaKeys(principal: string): QuotaKeys {
  const tag = `${PREFIX}:quota:{${principal}}`;
  return { requests: `${tag}:requests`, produceBytes: `${tag}:produce-bytes` };
}

export interface ZooKeeperPaths {
  readonly root: string;
  readonly topics: string;
  topic(name: string): string;
  readonly deletedTopics: string;
  deletedTopic(topicId: string): string;
  readonly brokers: string;
  broker(instanceId: string): string;
  readonly controller: string;
  readonly controllerEpoch: string;
  readonly apiKeys: string;
  apiKey(keyId: string): string;
  readonly acls: string;
  acl(principal: string): string;
  readonly quotas: string;
  quota(principal: string): string;
}

export function zooKeeperPaths(root: string): ZooKeeperPaths {
  return {
    root,
    topics: `${root}/topics`,
    topic: (name) => `${root}/topics/${name}`,
    deletedTopics: `${root}/deleted-topics`,
    deletedTopic: (topicId) => `${root}/deleted-topics/${topicId}`,
    brokers: `${root}/brokers/ids`,
    broker: (instanceId) => `${root}/brokers/ids/${instanceId}`,
    controller: `${root}/controller`,
    controllerEpoch: `${root}/controller-epoch`,
    apiKeys: `${root}/keys`,
    apiKey: (keyId) => `${root}/keys/${keyId}`,
    acls: `${root}/acl`,
    acl: (principal) => `${root}/acl/${principal}`,
    quotas: `${root}/quotas`,
    quota: (principal) => `${root}/quotas/${principal}`,
  };
}
