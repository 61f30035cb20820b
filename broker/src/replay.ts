// Replays: copy a time window of a topic, filtered by a condition on the record values, into another topic or
// to one consumer group — an event bus's "replay for debugging or recovery" (POST /replay), with progress
// (GET /replay/:id). A group target writes into the group's replay topic `__replay.<group>` (made on first use,
// shaped like the source), which every member of that group reads besides its own subscription, from its
// first record, and no other group's pattern matches (core/groups.ts subscribedTopics): the records reach that
// group only, without rewinding it or anyone else.
//
// A replay is fixed when it is made: for every source partition, the offsets of its window (the first record
// appended at or after `from`, up to the first appended after `to`, never past the partition's end then), so
// it always finishes, however fast the topic grows. The controller runs replays (a duty like retention): it
// reads each partition a chunk at a time, keeps the records whose value matches the filter, writes them to
// the target with the id `replay:<replay>:<partition>:<offset>` and then advances the stored position by
// compare-and-set. A controller that dies between the write and the advance leaves the next one to write
// that chunk again, and the ids make those writes duplicates: each matching record is in the target once
// (within the target's dedup window, which a resumed replay is well inside). Each copy keeps its key, value
// and headers, plus the header `replay-of: <topic>/<partition>/<offset>` naming the original.
//
// The filter is a MongoDB-style query (sift) over the value, restricted to operators with bounded cost: no
// $where (code), no $regex (a client's regular expression could take exponential time on every record).
//
// Redis keys: trib:replay:{<id>}:state, trib:{replays}:index (core/storage/replay-store.ts), and the source
// partitions' segments (reads) and the target's partition keys (writes, through PartitionWriter).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import sift from 'sift';
import type * as Sift from 'sift';
import {
  assertRedisReady,
  clusterResource,
  decodeEntry,
  errorResponses,
  groupNotFound,
  replayTopicName,
  ReplayAnswer,
  ReplayIdParams,
  ReplayList,
  ReplayRequest,
  topicNameProblem,
  topicNotFound,
  TributaryError,
  type GroupStore,
  type Logger,
  type LogStore,
  type RecordInput,
  type ReplaySpec,
  type ReplayStore,
  type StoredReplay,
  type Topic,
  type TopicCache,
} from '@tributary/core';
import type { TopicAdmin } from './topic-admin.js';
import { isStored, type PartitionWriter } from './write.js';

/** Replays that may run at once: each costs the controller reads and writes. */
export const MAX_RUNNING_REPLAYS = 8;
/** Bytes of records read from one partition per step. */
const CHUNK_BYTES = 1024 * 1024;
/** How long the runner rests when no replay had anything to do. */
const IDLE_MS = 250;
/** How long it rests after a step failed (Redis unavailable, say). */
const FAILED_STEP_REST_MS = 1_000;
const MAX_FILTER_BYTES = 4096;
const MAX_FILTER_DEPTH = 8;
/** Replays GET /replays shows, newest first. */
const LISTED = 100;

// sift is CommonJS: under Node's ESM loader its exports arrive as properties of the default import.
const { createQueryTester, $all, $and, $elemMatch, $eq, $exists, $gt, $gte, $in, $lt, $lte, $mod, $ne, $nin, $nor, $not, $or, $size } = sift as unknown as typeof Sift;
const OPERATIONS = { $all, $and, $elemMatch, $eq, $exists, $gt, $gte, $in, $lt, $lte, $mod, $ne, $nin, $nor, $not, $or, $size };

export type ValueFilter = (value: unknown) => boolean;

/** The filter as a predicate on values; INVALID_FILTER saying what is wrong with it otherwise. */
export function compileFilter(filter: Record<string, unknown> | null | undefined): ValueFilter {
  if (filter === null || filter === undefined) return () => true;
  const invalid = (why: string) => new TributaryError('INVALID_FILTER', `filter: ${why}`);
  if (JSON.stringify(filter).length > MAX_FILTER_BYTES) throw invalid(`longer than ${MAX_FILTER_BYTES} characters as JSON`);
  const check = (node: unknown, depth: number): void => {
    if (depth > MAX_FILTER_DEPTH) throw invalid(`nested deeper than ${MAX_FILTER_DEPTH} levels`);
    if (Array.isArray(node)) return node.forEach((item) => check(item, depth + 1));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('$') && !(key in OPERATIONS)) {
        throw invalid(`${key} is not supported; use ${Object.keys(OPERATIONS).join(' ')} (no $where, no $regex)`);
      }
      check(value, depth + 1);
    }
  };
  check(filter, 0);
  try {
    return createQueryTester(filter, { operations: OPERATIONS });
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err));
  }
}

/** Unix ms from a number or an ISO 8601 string; INVALID_REQUEST naming the field otherwise. */
function timeOf(field: string, value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TributaryError('INVALID_REQUEST', `${field} "${value}" is not a time: send Unix ms or ISO 8601`);
  return ms;
}

export function replayAnswer(replay: StoredReplay): ReplayAnswer {
  const total = replay.partitions.reduce((sum, p) => sum + Math.max(0, p.end - p.position), 0) + replay.scanned;
  return {
    replay_id: replay.id,
    status: replay.status,
    topic: replay.spec.source.topic,
    target: { topic: replay.spec.target.topic, ...(replay.spec.target.group === undefined ? {} : { group: replay.spec.target.group }) },
    from: replay.spec.from,
    to: replay.spec.to,
    filter: replay.spec.filter,
    created_at: new Date(replay.createdAt).toISOString(),
    finished_at: replay.finishedAt === null ? null : new Date(replay.finishedAt).toISOString(),
    error: replay.error,
    progress: {
      records_total: total,
      scanned: replay.scanned,
      matched: replay.matched,
      written: replay.written,
      percent: total === 0 ? 100 : Math.floor((replay.scanned / total) * 1000) / 10,
    },
    partitions: replay.partitions,
  };
}

function replayNotFound(id: string): TributaryError {
  return new TributaryError('REPLAY_NOT_FOUND', `no replay ${id} (replays are kept a day after they end)`);
}

export interface ReplayDeps {
  replays: ReplayStore;
  logs: LogStore;
  topics: TopicCache;
}

/** What making a replay needs besides: groups to check a group target, and topic admin to create its topic. */
export interface ReplayRouteDeps extends ReplayDeps {
  groups: GroupStore;
  admin: TopicAdmin;
  /** The broker's request body limit: no topic accepts records larger than that. */
  maxBodyBytes: number;
}

/** Room for the `replay-of` header on top of the largest record of the source topic. */
const HEADER_ROOM_BYTES = 1024;

/** The topic a replay writes to: the one named, or the group's replay topic (created with the source's shape). */
async function targetTopic({ topics, groups, admin, maxBodyBytes }: ReplayRouteDeps, target: ReplayRequest['target'], source: Topic): Promise<Topic> {
  if ('topic' in target) {
    const found = topics.get(target.topic);
    if (!found) throw new TributaryError('TOPIC_NOT_FOUND', `target topic "${target.topic}" does not exist: create it first`, { topic: target.topic });
    return found;
  }
  if (!(await groups.describe(target.group))) throw groupNotFound(target.group);
  const name = replayTopicName(target.group);
  const problem = topicNameProblem(name);
  if (problem) throw new TributaryError('INVALID_REQUEST', `group "${target.group}" cannot have a replay topic: ${problem}`);
  if (!topics.get(name)) {
    try {
      await admin.create(name, source.partitions, {
        max_record_bytes: Math.min(source.config.maxRecordBytes + HEADER_ROOM_BYTES, maxBodyBytes),
        retention_ms: source.config.retentionMs,
      });
    } catch (err) {
      // Made meanwhile by another replay into the group: use it.
      if (!(err instanceof TributaryError) || err.code !== 'TOPIC_EXISTS') throw err;
      await topics.refresh();
    }
  }
  const made = topics.get(name);
  if (!made) throw topicNotFound(name);
  return made;
}

/** Makes a replay: checks the request, fixes each partition's offset range, stores it; the controller runs it. */
async function createReplay(deps: ReplayRouteDeps, request: ReplayRequest): Promise<StoredReplay> {
  const { replays, logs, topics } = deps;
  const source = topics.get(request.topic);
  if (!source) throw topicNotFound(request.topic);
  if ('topic' in request.target && request.target.topic === source.name) {
    throw new TributaryError('INVALID_REQUEST', 'the target is the topic being replayed: every consumer would get the records again; name another topic, or a group');
  }
  const now = Date.now();
  const from = timeOf('from', request.from, 0);
  const to = Math.min(timeOf('to', request.to, now), now);
  if (from > to) throw new TributaryError('INVALID_REQUEST', `from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`);
  const filter = (request.filter ?? null) as Record<string, unknown> | null;
  compileFilter(filter);
  assertRedisReady(replays.redis);
  if ((await replays.countRunning()) >= MAX_RUNNING_REPLAYS) {
    throw new TributaryError('TOO_MANY_REPLAYS', `${MAX_RUNNING_REPLAYS} replays are running: wait for one to end, or cancel one (DELETE /replay/:id)`);
  }
  const ranges = await Promise.all(
    (await logs.allOffsets(source)).map(async (offsets) => ({
      start: from <= 0 ? offsets.logStartOffset : await logs.offsetForTime(source, offsets, from),
      end: to >= now ? offsets.nextOffset : await logs.offsetForTime(source, offsets, to + 1),
    })),
  );
  const target = await targetTopic(deps, request.target, source);
  const group = 'group' in request.target ? { group: request.target.group } : {};
  const id = randomBytes(8).toString('hex');
  const spec: ReplaySpec = { source: { topic: source.name, id: source.id, partitions: source.partitions }, target: { topic: target.name, id: target.id, ...group }, from, to, filter };
  await replays.create(id, spec, ranges, now);
  return (await replays.get(id))!;
}

export const replayRoutes: FastifyPluginAsync<ReplayRouteDeps> = async (app, deps) => {
  const { replays } = deps;
  app.post<{ Body: ReplayRequest }>(
    '/replay',
    {
      config: { access: { operation: 'admin', resource: clusterResource } },
      schema: {
        body: ReplayRequest,
        response: { 202: ReplayAnswer, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(202).send(replayAnswer(await createReplay(deps, request.body))),
  );

  app.get<{ Params: ReplayIdParams }>(
    '/replay/:id',
    {
      config: { access: { operation: 'describe', resource: clusterResource } },
      schema: { params: ReplayIdParams, response: { 200: ReplayAnswer, ...errorResponses } },
    },
    async (request) => {
      const replay = await replays.get(request.params.id);
      if (!replay) throw replayNotFound(request.params.id);
      return replayAnswer(replay);
    },
  );

  app.delete<{ Params: ReplayIdParams }>(
    '/replay/:id',
    {
      config: { access: { operation: 'admin', resource: clusterResource } },
      schema: { params: ReplayIdParams, response: { 200: ReplayAnswer, ...errorResponses } },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await replays.get(id))) throw replayNotFound(id);
      await replays.finish(id, 'cancelled', '', Date.now());
      return replayAnswer((await replays.get(id))!);
    },
  );

  app.get(
    '/replays',
    {
      config: { access: { operation: 'describe', resource: clusterResource } },
      schema: { response: { 200: ReplayList, ...errorResponses } },
    },
    async () => ({ replays: (await replays.list(LISTED)).map(replayAnswer) }),
  );
};

/** Runs replays, a chunk of every partition of every running replay in turn, while this broker is controller. */
export class ReplayRunner {
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #filters = new Map<string, ValueFilter>();

  constructor(
    private readonly deps: ReplayDeps & { writer: PartitionWriter; log: Logger },
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops after the step in progress (its positions are stored, so a later start resumes there). */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let worked = false;
      let rest = IDLE_MS;
      try {
        for (const id of await this.deps.replays.running(MAX_RUNNING_REPLAYS)) {
          if (!this.#running) break;
          worked = (await this.#step(id)) || worked;
        }
      } catch (err) {
        // Redis or a target partition is unavailable: try again, but not in a tight loop of warnings.
        this.deps.log.warn({ err }, 'replays: a step failed; retrying in a second');
        worked = false;
        rest = FAILED_STEP_REST_MS;
      }
      if (!worked) await new Promise((resolve) => setTimeout(resolve, rest).unref());
    }
  }

  /** One chunk of each unfinished partition of one replay; false when it had nothing to do. */
  async #step(id: string): Promise<boolean> {
    const { replays, topics } = this.deps;
    const replay = await replays.get(id);
    if (!replay || replay.status !== 'running') {
      this.#filters.delete(id);
      return false;
    }
    const { source, target } = replay.spec;
    const sourceTopic = topics.get(source.topic);
    const targetTopic = topics.get(target.topic);
    const gone = sourceTopic?.id !== source.id ? source.topic : targetTopic?.id !== target.id ? target.topic : undefined;
    if (gone !== undefined) {
      await replays.finish(id, 'failed', `topic "${gone}" was deleted while the replay ran`, Date.now());
      return true;
    }
    let filter = this.#filters.get(id);
    if (!filter) this.#filters.set(id, (filter = compileFilter(replay.spec.filter)));
    let worked = false;
    for (const { partition, position, end } of replay.partitions) {
      if (position >= end || !this.#running) continue;
      try {
        const outcome = await this.#copyChunk(replay, sourceTopic!, targetTopic!, filter, partition, position, end);
        worked = true;
        if (outcome === 0) break; // cancelled meanwhile
      } catch (err) {
        if (err instanceof TributaryError && !err.retriable) {
          await replays.finish(id, 'failed', `partition ${partition}, from offset ${position}: ${err.message}`, Date.now());
          this.#filters.delete(id);
          return true;
        }
        throw err;
      }
    }
    return worked;
  }

  async #copyChunk(replay: StoredReplay, source: Topic, target: Topic, filter: ValueFilter, partition: number, position: number, end: number): Promise<number> {
    const { logs, replays, writer } = this.deps;
    const { first, entries } = await logs.readRecords(source, partition, position, end, CHUNK_BYTES);
    // Nothing there: retention dropped the rest of the window.
    const reached = entries.length === 0 ? end : Math.min(end, first + entries.length);
    const copies: RecordInput[] = [];
    entries.forEach((entry, i) => {
      const offset = first + i;
      if (offset >= end) return;
      const { key, value, headers } = decodeEntry(entry, offset);
      if (!filter(value)) return;
      copies.push({ key, value, headers: { ...headers, 'replay-of': `${source.name}/${partition}/${offset}` }, id: `replay:${replay.id}:${partition}:${offset}` });
    });
    let written = 0;
    if (copies.length > 0) {
      const results = await writer.write(target, copies);
      const failed = results.find((result) => !isStored(result));
      if (failed && !isStored(failed)) throw new TributaryError(failed.code, failed.message);
      written = results.length;
    }
    const scanned = Math.max(0, reached - position);
    return replays.advance(replay.id, replay.spec.source.partitions, { partition, from: position, to: reached, scanned, matched: copies.length, written }, Date.now());
  }
}
