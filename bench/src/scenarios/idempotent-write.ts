// Scenario 6 — the cost of idempotency ids: batch writes of 1,000 records with a fresh id on every record
// against the same batches without ids, same generator (batch-probe.ts), interleaved rounds; and the Redis
// memory each remembered id takes (MEMORY USAGE of the partitions' ids hash and log, over their size).
import { fileURLToPath } from 'node:url';
import { partitionKeys } from '@tributary/core';
import { createTopic } from '../client.js';
import type { BatchProbeResult } from '../batch-probe.js';
import { cpuPer, withCpu, type BenchContext, type CpuUse } from '../scenario.js';
import { median, ratio } from '../stats.js';
import { capture } from '../wrk.js';

type Run = BatchProbeResult & { cpu: CpuUse };

export interface IdempotentWriteResult {
  recordsPerRequest: number;
  connections: number;
  without: { recordsPerSecond: number; p99Ms: number; brokerCpuUsPerRecord?: number | undefined; redisCpuUsPerRecord?: number | undefined };
  withIds: { recordsPerSecond: number; p99Ms: number; brokerCpuUsPerRecord?: number | undefined; redisCpuUsPerRecord?: number | undefined };
  /** With ids ÷ without: the target is ≥ 0.8. */
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
  const connections = settings.connections.batchWrite;
  const probe = fileURLToPath(new URL('../batch-probe.js', import.meta.url));
  let round = 0;
  const load = (ids: boolean, durationS: number) =>
    withCpu(stack, async () => {
      const options = { url: `${stack.broker.url}/write/${topic}`, connections, records: RECORDS, durationS, ids, idPrefix: `${runId}-${round++}` };
      const output = await capture(process.execPath, [probe, JSON.stringify(options)]);
      const line = output.split('\n').find((l) => l.startsWith('BATCH_RESULT '));
      if (!line) throw new Error(`the batch probe printed no result:\n${output}`);
      return JSON.parse(line.slice('BATCH_RESULT '.length)) as BatchProbeResult;
    });

  say(`idempotent writes: batches of ${RECORDS}, ${connections} connections, with and without ids; warm-up ${settings.warmupS} s each`);
  await load(false, settings.warmupS);
  await load(true, settings.warmupS);
  const runs: Run[] = [];
  for (let r = 1; r <= settings.rounds; r++) {
    const without = await load(false, settings.measureS);
    const withIds = await load(true, settings.measureS);
    runs.push(without, withIds);
    say(`  round ${r}: without ids ${Math.round(without.recordsPerSecond)} records/s, with ids ${Math.round(withIds.recordsPerSecond)} records/s`);
  }

  const summary = (ids: boolean) => {
    const series = runs.filter((run) => run.ids === ids);
    const records = series.reduce((n, run) => n + run.requests * RECORDS, 0);
    return {
      recordsPerSecond: median(series.map((run) => run.recordsPerSecond)),
      p99Ms: median(series.map((run) => run.latencyMs.p99)),
      brokerCpuUsPerRecord: cpuPer(series, records, 'broker'),
      redisCpuUsPerRecord: cpuPer(series, records, 'redis'),
    };
  };

  // The topic's id names its keys; MEMORY USAGE samples large hashes, which is close enough for a per-id cost.
  const description = (await (await fetch(`${stack.broker.url}/topics/${topic}`)).json()) as { id: string };
  let idsStored = 0;
  let bytes = 0;
  for (let partition = 0; partition < partitions; partition++) {
    const keys = partitionKeys({ topicId: description.id, partition });
    idsStored += await stack.redisClient.hlen(keys.ids);
    for (const key of [keys.ids, keys.idsLog]) bytes += Number((await stack.redisClient.memory('USAGE', key)) ?? 0);
  }
  const without = summary(false);
  const withIds = summary(true);
  return {
    recordsPerRequest: RECORDS,
    connections,
    without,
    withIds,
    ratio: ratio(withIds.recordsPerSecond, without.recordsPerSecond),
    idsStored,
    bytesPerId: idsStored > 0 ? bytes / idsStored : undefined,
    failed: runs.reduce((n, run) => n + run.failed, 0),
    runs,
  };
}
