import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '@tributary/testkit';
import { Cluster } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

/** partition<TAB>offset<TAB>key<TAB>value lines, sorted (partitions are printed one after the other). */
const sorted = (out: string) => out.split('\n').filter(Boolean).sort();

describe('tributary tail', () => {
  it('prints every partition’s records from the earliest, without subscribing or committing anything', async () => {
    const topic = await cluster.createTopic(4);
    await cluster.ok(['produce', topic], { input: 'foobar\t1\nabc\t2\nkafka\t3\n' }); // partitions 2, 3, 0
    const expected = ['0\t0\tkafka\t3', '2\t0\tfoobar\t1', '3\t0\tabc\t2'];
    expect(sorted(await cluster.ok(['tail', topic]))).toEqual(expected);
    // Nothing moved: the same again.
    expect(sorted(await cluster.ok(['tail', topic]))).toEqual(expected);
    expect(await cluster.ok(['tail', topic, '--partition', '2'])).toBe('2\t0\tfoobar\t1\n');
    expect(await cluster.ok(['tail', topic, '--from', 'latest'])).toBe('');
    expect(await cluster.ok(['tail', topic, '--partition', '2', '--from', '1'])).toBe('');
    expect(sorted(await cluster.ok(['tail', topic, '--from', '1h']))).toEqual(expected);
    expect(await cluster.ok(['tail', topic, '--from', new Date(Date.now() + 3_600_000).toISOString()])).toBe('');
    expect(await cluster.ok(['tail', topic, '--max', '1'])).toMatch(/^\d\t0\t\w+\t\d\n$/);
  });

  it('--json prints JSON lines; a keyless record has a null key (an empty key column in text)', async () => {
    const topic = await cluster.createTopic(1);
    await cluster.ok(['produce', topic], { input: '{"key": null, "value": {"a": 1}}\n' });
    expect(JSON.parse(await cluster.ok(['--json', 'tail', topic]))).toEqual({
      topic,
      partition: 0,
      offset: 0,
      timestamp: expect.any(Number),
      key: null,
      headers: {},
      value: { a: 1 },
    });
    expect(await cluster.ok(['tail', topic])).toBe('0\t0\t\t{"a":1}\n');
  });

  it('--follow prints records written after it started, until Ctrl-C (exit 0)', async () => {
    const topic = await cluster.createTopic(2);
    await cluster.ok(['produce', topic, '-k', 'early', '"before"']);
    const follower = cluster.spawn(['tail', topic, '--from', 'latest', '--follow']);
    try {
      // Written after tail started: it must find them by following. (Nothing is printed until then.)
      await waitFor(() => follower.stderr === '' && follower.process.pid !== undefined, { what: 'tail to start' });
      await waitFor(async () => {
        await cluster.ok(['produce', topic, '-k', 'late', '"after"']);
        return follower.lines.length > 0;
      }, { what: 'tail to print a record written after it started', timeoutMs: 20_000 });
      expect(follower.lines[0]).toMatch(/^\d\t\d+\tlate\tafter$/);
      expect(follower.stdout).not.toContain('before');
    } finally {
      follower.process.kill('SIGINT');
    }
    expect((await follower.exited).code).toBe(0);
  });

  it('refuses an unknown topic (exit 1) and a bad --from (exit 2)', async () => {
    const missing = uniqueName('missing');
    expect(await cluster.run(['tail', missing])).toMatchObject({ code: 1, stderr: `error: topic "${missing}" does not exist\n` });
    const topic = await cluster.createTopic(1);
    expect((await cluster.run(['tail', topic, '--partition', '5'])).code).toBe(1);
    expect((await cluster.run(['tail', topic, '--from', 'yesterday-ish'])).code).toBe(2);
  });
});
