// `tributary produce`: one record from the command line, or many from stdin, one per line (the formats are
// in the command's help below).
//
// Stdin is streamed: lines are parsed while the previous batch is in flight, so memory stays bounded however
// long the input. Only ONE batch is in flight at a time: two concurrent requests may be applied in either
// order, which would break the order of a key's records as given on stdin.
//
// A bad line stops the run: every record before it is sent (the batch in progress is flushed), nothing from
// it on, and the error names the line and how many records were written, so a fixed input can resume there.
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { path, type ServiceClient } from './client.js';
import { contextOf } from './context.js';
import { CliError } from './errors.js';
import type { WriteAnswer, WriteRecord, WriteResult } from '@tributary/core';
import { note, printJson, printLines, table } from './output.js';

/** A record as the broker takes it: a null key is a keyless record, an id makes retries safe (the dedup window). */
export type RecordInput = WriteRecord;

export interface ProduceSummary {
  topic: string;
  records: number;
  /** Records the broker did not store again because their id was already in the topic's dedup window. */
  duplicates: number;
  /** Records written per partition. */
  partitions: Record<string, number>;
}

/** Records per request (the broker takes up to 10,000). */
export const BATCH_RECORDS = 1_000;
/** Flush early when a batch's lines add up to this much, to stay well under the broker's body limit. */
const BATCH_BYTES = 4 * 1024 * 1024;

export function produceCommand(): Command {
  return new Command('produce')
    .description('write one record, or records from stdin (one per line: key<TAB>value or {"key":…,"value":…})')
    .argument('<topic>', 'topic to write to')
    .argument('[value]', 'the record’s value (JSON if it parses as JSON); without it, records are read from stdin')
    .option('-k, --key <key>', 'the record’s key; with stdin, the key of lines that do not give one', '')
    .option('--id <id>', 'the record’s idempotency id: writing it again within the topic’s dedup window stores nothing new')
    .addHelpText(
      'after',
      `
Stdin, one record per line (blank lines are skipped):
  key<TAB>value                                  the value is everything after the first TAB
  {"key": "k", "value": ..., "headers": {...}, "id": "..."}   any line starting with "{" (headers, id optional; "key": null is keyless)
  value                                          no TAB: keyed by --key ("" by default)
Values that parse as JSON are sent as JSON, anything else as a string. Records are sent in batches of
${BATCH_RECORDS}, in order. A bad line stops the run: the records before it are written, none from it on.`,
    )
    .action(async function (this: Command, topic: string, value: string | undefined, options: { key: string; id?: string }) {
      const context = contextOf(this);
      const broker = context.brokerClient();
      if (value !== undefined) {
        const record: RecordInput = { key: options.key, value: parseValue(value), ...(options.id === undefined ? {} : { id: options.id }) };
        const result = await broker.post<WriteAnswer & WriteResult>(path`/write/${topic}`, { body: record });
        if (context.json) return printJson(result);
        const where = `partition ${result.partition}, offset ${result.offset}`;
        return printLines(result.duplicate ? `id ${options.id} was already written to ${result.topic} (${where}): nothing new stored` : `wrote 1 record to ${result.topic}: ${where}`);
      }
      if (options.id !== undefined) throw new CliError('--id names one record: give the value as an argument, or put an "id" field in each JSON line', 2);
      if (process.stdin.isTTY) note('reading records from stdin, one per line (key<TAB>value); Ctrl-D to finish');
      const progress = process.stderr.isTTY && !context.json ? progressLine() : undefined;
      const summary = await produceLines(broker, topic, createInterface({ input: process.stdin, crlfDelay: Infinity }), options.key, progress?.update).finally(() => progress?.clear());
      if (context.json) return printJson(summary);
      const skipped = summary.duplicates > 0 ? ` (${summary.duplicates} already written within the dedup window: not stored again)` : '';
      printLines(`wrote ${summary.records} record${summary.records === 1 ? '' : 's'} to ${summary.topic}${skipped}`);
      if (summary.records > 0) {
        printLines('', table(['partition', 'records'], Object.entries(summary.partitions).map(([partition, count]) => [Number(partition), count])));
      }
    });
}

/** Sends `lines` in batches; resolves with what landed where, or rejects with a CliError saying how far it got. */
export async function produceLines(
  broker: ServiceClient,
  topic: string,
  lines: AsyncIterable<string>,
  defaultKey: string,
  /** Called after each batch is answered. */
  onProgress?: (summary: Readonly<ProduceSummary>) => void,
): Promise<ProduceSummary> {
  const summary: ProduceSummary = { topic, records: 0, duplicates: 0, partitions: {} };
  let batch: RecordInput[] = [];
  let batchBytes = 0;
  let batchLine = 1; // where the batch being filled starts
  let inFlight: Promise<void> = Promise.resolve();
  let failure: unknown;

  const send = async (records: RecordInput[], fromLine: number) => {
    try {
      const { results } = await broker.post<Required<Pick<WriteAnswer, 'results'>>>(path`/write/${topic}`, { body: { records } });
      for (const { partition, duplicate } of results) {
        if (duplicate) {
          summary.duplicates++;
          continue;
        }
        summary.partitions[partition] = (summary.partitions[partition] ?? 0) + 1;
        summary.records++;
      }
      onProgress?.(summary);
    } catch (err) {
      failure ??= err instanceof CliError ? new CliError(`${err.message} (batch from line ${fromLine}); ${writtenSoFar(summary)}`, err.exitCode, err.code) : err;
    }
  };
  const settle = async () => {
    await inFlight;
    if (failure) throw failure;
  };
  /** Waits for the batch in flight, then starts sending the current one without waiting for it. */
  const flush = async (nextLine: number) => {
    await settle();
    if (batch.length > 0) inFlight = send(batch, batchLine);
    batch = [];
    batchBytes = 0;
    batchLine = nextLine;
  };

  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (failure) break;
    let record: RecordInput | undefined;
    try {
      record = parseRecordLine(line, defaultKey);
    } catch (err) {
      await flush(lineNumber);
      await settle();
      throw new CliError(`line ${lineNumber}: ${(err as Error).message}; ${writtenSoFar(summary)}, none from it on`);
    }
    if (record === undefined) {
      if (batch.length === 0) batchLine = lineNumber + 1;
      continue;
    }
    batch.push(record);
    batchBytes += line.length;
    if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) await flush(lineNumber + 1);
  }
  await flush(lineNumber + 1);
  await settle();
  return summary;
}

/**
 * A line on the terminal (stderr) counting the records written so far, redrawn at most every 100 ms, and
 * erased before the summary: long inputs show they are moving, and nothing of it stays in the output.
 */
function progressLine(): { update: (summary: Readonly<ProduceSummary>) => void; clear: () => void } {
  let shownAt = 0;
  let shown = false;
  return {
    update(summary) {
      const now = Date.now();
      if (now - shownAt < 100) return;
      shownAt = now;
      shown = true;
      process.stderr.write(`\r\x1b[Kwriting to ${summary.topic}: ${summary.records} record${summary.records === 1 ? '' : 's'} so far`);
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

function writtenSoFar(summary: ProduceSummary): string {
  return `${summary.records} record${summary.records === 1 ? ' was' : 's were'} written before it`;
}

/** One stdin line as a record, or undefined for a blank line. Throws a message fit for the user. */
export function parseRecordLine(line: string, defaultKey: string): RecordInput | undefined {
  if (line.trim() === '') return undefined;
  if (line.trimStart().startsWith('{')) return parseJsonRecord(line, defaultKey);
  const tab = line.indexOf('\t');
  if (tab === -1) return { key: defaultKey, value: parseValue(line) };
  return { key: line.slice(0, tab), value: parseValue(line.slice(tab + 1)) };
}

function parseJsonRecord(line: string, defaultKey: string): RecordInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error('not valid JSON (a line starting with "{" must be {"key": …, "value": …})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('a JSON line must be an object');
  const { key = defaultKey, value, headers, id, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`unknown field "${unknown[0]}": a JSON line has only "key", "value", "headers" and "id"`);
  if (!('value' in parsed)) throw new Error('a JSON line needs a "value" (null is a value)');
  if (typeof key !== 'string' && key !== null) throw new Error('"key" must be a string, or null for a keyless record');
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 128)) throw new Error('"id" must be a string of 1 to 128 characters');
  const record: RecordInput = { key, value, ...(id === undefined ? {} : { id }) };
  if (headers === undefined) return record;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new Error('"headers" must be an object of strings');
  }
  return { ...record, headers: headers as Record<string, string> };
}

/** `42` → 42, `{"a":1}` → {a: 1}, `hello` → "hello". */
export function parseValue(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // An id like 12345678901234567890 would come back as a different number: keep what was typed.
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return text;
  return value;
}
