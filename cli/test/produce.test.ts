import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFor } from '@tributary/core';
import { uniqueEmail, uniqueName } from '@tributary/testkit';
import { BIN, Cluster } from './harness.js';

const execFileAsync = promisify(execFile);

/** One argument for sh -c, in single quotes. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

/** Every record of `topic` that the partition of `key` holds, read through the CLI. */
async function readAll(topic: string, key: string): Promise<Array<{ partition: number; offset: number; key: string; value: unknown; headers: Record<string, string> }>> {
  const out = await cluster.ok(['--json', 'consume', topic, '--email', uniqueEmail(), '--key', key]);
  return out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** How many of `keys` each partition gets, by Kafka's partitioner. */
function expectedPartitions(keys: string[], partitions: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) {
    const partition = partitionFor(key, partitions);
    counts[partition] = (counts[partition] ?? 0) + 1;
  }
  return counts;
}

describe('tributary produce <topic> <value>', () => {
  it('writes one record and says where it landed', async () => {
    const topic = await cluster.createTopic(4);
    // "kafka" → partition 0 of 4 (docs/invariants.md I2)
    expect(await cluster.ok(['produce', topic, '-k', 'kafka', 'hello'])).toBe(`wrote 1 record to ${topic}: partition 0, offset 0\n`);
    const result = await cluster.json(['produce', topic, '--key', 'kafka', '{"n": 1}']);
    expect(result).toEqual({ topic, partition: 0, offset: 1, timestamp: expect.any(Number) });
  });

  it('sends values that parse as JSON as JSON, anything else as a string', async () => {
    const topic = await cluster.createTopic(1);
    const values = ['{"a":[1,2]}', '42', 'true', 'null', '"quoted"', 'plain text', '12345678901234567890', '{not json'];
    for (const value of values) await cluster.ok(['produce', topic, '-k', 'k', value]);
    expect((await readAll(topic, 'k')).map((record) => record.value)).toEqual([
      { a: [1, 2] },
      42,
      true,
      null,
      'quoted',
      'plain text',
      '12345678901234567890', // would lose digits as a number
      '{not json',
    ]);
  });

  it('--id makes a retry harmless: the second write stores nothing and says where the first went', async () => {
    const topic = await cluster.createTopic(4);
    expect(await cluster.ok(['produce', topic, '-k', 'kafka', '--id', 'order-1', 'first'])).toBe(`wrote 1 record to ${topic}: partition 0, offset 0\n`);
    expect(await cluster.ok(['produce', topic, '-k', 'kafka', '--id', 'order-1', 'first'])).toBe(
      `id order-1 was already written to ${topic} (partition 0, offset 0): nothing new stored\n`,
    );
    expect(await cluster.json(['produce', topic, '-k', 'kafka', '--id', 'order-1', 'first'])).toMatchObject({ partition: 0, offset: 0, duplicate: true });
    expect((await readAll(topic, 'kafka')).map((record) => record.value)).toEqual(['first']);
    expect((await cluster.run(['produce', topic, '--id', 'x'], { input: 'a\n' })).code).toBe(2);
  });

  it('a refused write exits 1 with the broker’s message', async () => {
    const topic = uniqueName('missing');
    expect(await cluster.run(['--json', 'produce', topic, 'v'])).toEqual({ code: 1, stdout: '', stderr: `error: topic "${topic}" does not exist\n` });
  });
});

describe('tributary produce <topic> < stdin', () => {
  it('writes 10,000 key<TAB>value lines in batches and reports records per partition', async () => {
    const topic = await cluster.createTopic(3);
    const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i % 97}`);
    const input = keys.map((key, i) => `${key}\t{"seq": ${i}}\n`).join('');

    const summary = await cluster.json(['produce', topic], { input });
    expect(summary).toEqual({ topic, records: 10_000, duplicates: 0, partitions: expectedPartitions(keys, 3) });

    const described = await cluster.json(['topics', 'describe', topic]);
    expect(Object.fromEntries(described.partitions.map((p: { partition: number; records: number }) => [p.partition, p.records]))).toEqual(summary.partitions);
  });

  it('writes 10,000 JSON lines with headers, and keeps each key’s records in input order', async () => {
    const topic = await cluster.createTopic(2);
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({ key: i % 2 === 0 ? 'even' : 'odd', value: { seq: i }, headers: { source: 'test' } }),
    );
    const summary = await cluster.json(['produce', topic], { input: `${lines.join('\r\n')}\r\n` });
    expect(summary.records).toBe(10_000);

    const even = await readAll(topic, 'even');
    const evenSeqs = even.filter((record) => record.key === 'even').map((record) => (record.value as { seq: number }).seq);
    expect(evenSeqs).toEqual(Array.from({ length: 5_000 }, (_, i) => i * 2));
    expect(even[0]!.headers).toEqual({ source: 'test' });
  });

  it('human output: a total and a table of partitions', async () => {
    const topic = await cluster.createTopic(4);
    const out = await cluster.ok(['produce', topic], { input: 'foobar\ta\nabc\tb\nkafka\tc\nfoobar\td\n' });
    expect(out).toBe(`wrote 4 records to ${topic}\n\nPARTITION  RECORDS\n        0        1\n        2        2\n        3        1\n`);
  });

  it('says "1 record", not "1 records"', async () => {
    const topic = await cluster.createTopic(1);
    expect(await cluster.ok(['produce', topic], { input: 'k\tv\n' })).toBe(`wrote 1 record to ${topic}\n\nPARTITION  RECORDS\n        0        1\n`);
  });

  it('shows progress on a terminal only: piped stderr gets no progress lines', async () => {
    const topic = await cluster.createTopic(1);
    const result = await cluster.run(['produce', topic], { input: Array.from({ length: 3_000 }, (_, i) => `k\t${i}`).join('\n') });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('on a terminal, shows a progress line while writing and erases it before the summary', async () => {
    const topic = await cluster.createTopic(1);
    const dir = mkdtempSync(join(tmpdir(), 'tributary-produce-'));
    try {
      const input = join(dir, 'records.txt');
      writeFileSync(input, Array.from({ length: 3_000 }, (_, i) => `k\t${i}`).join('\n'));
      // util-linux script(1) gives the command a pseudo-terminal for stdout and stderr; stdin stays the file,
      // as in `tributary produce t < file` typed at a terminal. -e: script exits with the command's code.
      const command = [process.execPath, BIN, ...cluster.urls, 'produce', topic].map(shellQuote).join(' ');
      const { stdout } = await execFileAsync('script', ['-qefc', `${command} < ${shellQuote(input)}`, '/dev/null'], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      // Batches of 1,000, one in flight at a time: the first answer always draws the line, at 1000.
      const drawn = stdout.indexOf(`\r\x1b[Kwriting to ${topic}: 1000 records so far`);
      expect(drawn, JSON.stringify(stdout)).toBeGreaterThanOrEqual(0);
      const summary = stdout.indexOf(`wrote 3000 records to ${topic}`);
      expect(summary).toBeGreaterThan(drawn);
      // The last thing before the summary erases the line, so no progress stays on the screen.
      expect(stdout.slice(0, summary).endsWith('\r\x1b[K')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSON lines may carry an id: lines already written are counted, not stored again', async () => {
    const topic = await cluster.createTopic(2);
    const lines = ['{"key": "a", "value": 1, "id": "e1"}', '{"key": "b", "value": 2, "id": "e2"}'].join('\n');
    expect(await cluster.json(['produce', topic], { input: lines })).toMatchObject({ records: 2, duplicates: 0 });
    expect(await cluster.json(['produce', topic], { input: `${lines}\n{"key": "c", "value": 3, "id": "e3"}` })).toMatchObject({ records: 1, duplicates: 2 });
    expect(await cluster.ok(['produce', topic], { input: lines })).toBe(`wrote 0 records to ${topic} (2 already written within the dedup window: not stored again)\n`);
  });

  it('lines without a key use --key; blank lines are skipped; empty input writes nothing', async () => {
    const topic = await cluster.createTopic(4);
    expect(await cluster.json(['produce', topic, '-k', 'abc'], { input: 'one\n\n   \n{"value": 2}\n' })).toEqual({ topic, records: 2, duplicates: 0, partitions: { 3: 2 } });
    expect(await cluster.json(['produce', topic], { input: '' })).toEqual({ topic, records: 0, duplicates: 0, partitions: {} });
  });

  it('a bad line stops the run: every record before it is written, none from it on (exit 1)', async () => {
    const topic = await cluster.createTopic(3);
    const lines = Array.from({ length: 4_000 }, (_, i) => `k${i}\t${i}`);
    lines[2_500] = '{"key": "k", "value": oops}';
    const result = await cluster.run(['--json', 'produce', topic], { input: lines.join('\n') });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: line 2501: not valid JSON \(.*\); 2500 records were written before it, none from it on\n$/);
    const described = await cluster.json(['topics', 'describe', topic]);
    expect(described.partitions.reduce((sum: number, p: { records: number }) => sum + p.records, 0)).toBe(2_500);
  });

  it.each([
    ['{"key": 7, "value": 1}', '"key" must be a string'],
    ['{"key": "k"}', 'a JSON line needs a "value"'],
    ['{"key": "k", "value": 1, "extra": true}', 'unknown field "extra"'],
    ['{"key": "k", "value": 1, "headers": {"a": 1}}', '"headers" must be an object of strings'],
    ['{"key": "k", "value": 1, "id": ""}', '"id" must be a string of 1 to 128 characters'],
  ])('refuses the JSON line %s, naming it', async (line, why) => {
    const topic = await cluster.createTopic(1);
    const result = await cluster.run(['produce', topic], { input: `a\t1\n${line}\nb\t2\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: line 2: ${why}`);
    expect(result.stderr).toContain('1 record was written before it');
  });

  it('a batch the broker refuses stops the run, saying how many records were written before it', async () => {
    const topic = uniqueName('topic');
    await cluster.ok(['topics', 'create', topic, '-p', '1', '--max-record-bytes', '200']);
    const lines = Array.from({ length: 3_000 }, (_, i) => `k\t${i}`);
    lines[1_500] = `k\t${'x'.repeat(500)}`;
    const result = await cluster.run(['produce', topic], { input: lines.join('\n') });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*accepts at most 200 \(batch from line 1001\); 1000 records were written before it\n$/);
  });
});
