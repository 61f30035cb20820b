// Fills the partitions that the read scenarios read: a short one (10^3 records) and a long one (10^6 in a
// full run), each the only partition of its topic, with batch writes of 10,000 records, two in flight. How
// long that takes is itself a figure: the time to load a million records through the broker.
import { createTopic, nextOffsets, write } from '../client.js';
import { batchBody } from '../records.js';
import type { BenchContext } from '../scenario.js';

export interface FilledPartition {
  topic: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
}

export interface PrefillResult {
  batchRecords: number;
  short: FilledPartition;
  long: FilledPartition;
}

export async function prefill({ stack, settings, runId, say }: BenchContext): Promise<PrefillResult> {
  const fill = async (topic: string, records: number): Promise<FilledPartition> => {
    await createTopic(stack.broker.url, topic, 1);
    const batch = Math.min(settings.fillBatch, records);
    const body = batchBody(batch, 'fill');
    const requests = Math.ceil(records / batch);
    const started = performance.now();
    let sent = 0;
    const worker = async () => {
      while (sent < requests) {
        sent++;
        await write(stack.broker.url, topic, body);
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - started) / 1000;
    const [stored = 0] = await nextOffsets(stack.broker.url, topic);
    if (stored !== requests * batch) throw new Error(`${topic} holds ${stored} records after writing ${requests * batch}`);
    return { topic, records: stored, seconds, recordsPerSecond: stored / seconds };
  };

  say(`filling partitions of ${settings.shortPartition} and ${settings.longPartition} records (batches of ${settings.fillBatch})`);
  const short = await fill(`bench-short-${runId}`, settings.shortPartition);
  const long = await fill(`bench-long-${runId}`, settings.longPartition);
  say(`  ${long.records} records in ${long.seconds.toFixed(1)} s (${Math.round(long.recordsPerSecond)} records/s)`);
  return { batchRecords: settings.fillBatch, short, long };
}
