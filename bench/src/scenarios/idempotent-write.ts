// Scenario 6 — batches of 1,000 records at 1 and at 8 connections, with a fresh idempotency id on every record
// and without ids, same generator (batch-probe.ts), interleaved rounds: the batch targets (≥ 350,000 records/s
// on 1 connection, ≥ 500,000 on 8, with and without ids) and the cost of ids; and the Redis memory each
// remembered id takes (MEMORY USAGE of the partitions' ids hash and log, over their size).
import { fileURLToPath } from 'node:url';
import { partitionKeys } from '@tributary/core';
import { createTopic } from '../client.js';
import type { BatchProbeResult } from '../batch-probe.js';
import { cpuPer, withCpu, type BenchContext, type CpuUse } from '../scenario.js';
import { median, ratio } from '../stats.js';
import { capture } from '../wrk.js';

type Run = BatchProbeResult & { cpu: CpuUse; connections: number };

export interface BatchSeries {
  connections: number;
  ids: boolean;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  brokerCpuUsPerRecord?: number | undefined;
  redisCpuUsPerRecord?: number | undefined;
}

export interface IdempotentWriteResult {
  recordsPerRequest: number;
  topicPartitions: number;
  /** One per connection count and with/without ids. */
  series: BatchSeries[];
  /** With ids ÷ without, at the largest connection count: the target is ≥ 0.8. */
  ratio: number;
  /** Ids remembered at the end of the run, and the Redis memory they take. */
  idsStored: number;
  bytesPerId: number | undefined;
  failed: number;
  runs: Run[];
}

const RECORDS = 1_000;

export async function idempotentWrite({ stack, settings, runId, say }: BenchContext): Promise<IdempotentWriteResult> {
  const topic = `bench-ids-${runId}`;
  const partitions = settings.batchPartitions;
  await createTopic(stack.broker.url, topic, partitions);
  const probe = fileURLToPath(new URL('../batch-probe.js', import.meta.url));
  let round = 0;
  const load = (connections: number, ids: boolean, durationS: number) =>
    withCpu(stack, async () => {
      const options = { url: `${stack.broker.url}/write/${topic}`, connections, records: RECORDS, durationS, ids, idPrefix: `${runId}-${round++}` };
      const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
      const line = output.split('\n').find((l) => l.startsWith('BATCH_RESULT '));
      if (!line) throw new Error(`the batch probe printed no result:\n${output}`);
      return { ...(JSON.parse(line.slice('BATCH_RESULT '.length)) as BatchProbeResult), connections };
    });

  const counts = settings.connections.batchSeries;
  const kinds = counts.flatMap((connections) => [false, true].map((ids) => ({ connections, ids })));
  say(`batches of ${RECORDS}: ${counts.join(' and ')} connections, with and without ids; warm-up ${settings.warmupS} s each`);
  for (const { connections, ids } of kinds) await load(connections, ids, settings.warmupS);
  const runs: Run[] = [];
  for (let r = 1; r <= settings.rounds; r++) {
    const line: string[] = [];
    for (const { connections, ids } of kinds) {
      const run = await load(connections, ids, settings.measureS);
      runs.push(run);
      line.push(`${connections} conn${connections > 1 ? 's' : ''}${ids ? ' with ids' : ''} ${Math.round(run.recordsPerSecond)}`);
    }
    say(`  round ${r} (records/s): ${line.join(', ')}`);
  }

  const series = kinds.map(({ connections, ids }): BatchSeries => {
    const mine = runs.filter((run) => run.ids === ids && run.connections === connections);
    const records = mine.reduce((n, run) => n + run.requests * RECORDS, 0);
    return {
      connections,
      ids,
      recordsPerSecond: median(mine.map((run) => run.recordsPerSecond)),
      p50Ms: median(mine.map((run) => run.latencyMs.p50)),
      p99Ms: median(mine.map((run) => run.latencyMs.p99)),
      brokerCpuUsPerRecord: cpuPer(mine, records, 'broker'),
      redisCpuUsPerRecord: cpuPer(mine, records, 'redis'),
    };
  });

  // The topic's id names its keys; MEMORY USAGE samples large hashes, which is close enough for a per-id cost.
  const description = (await (await fetch(`${stack.broker.url}/topics/${topic}`)).json()) as { id: string };
  let idsStored = 0;
  let bytes = 0;
  for (let partition = 0; partition < partitions; partition++) {
    const keys = partitionKeys({ topicId: description.id, partition });
    idsStored += await stack.redisClient.hlen(keys.ids);
    for (const key of [keys.ids, keys.idsLog]) bytes += Number((await stack.redisClient.memory('USAGE', key)) ?? 0);
  }
  const most = Math.max(...counts);
  const at = (ids: boolean) => series.find((s) => s.connections === most && s.ids === ids)?.recordsPerSecond;
  return {
    recordsPerRequest: RECORDS,
    topicPartitions: partitions,
    series,
    ratio: ratio(at(true), at(false)),
    idsStored,
    bytesPerId: idsStored > 0 ? bytes / idsStored : undefined,
    failed: runs.reduce((n, run) => n + run.failed, 0),
    runs,
  };
}
