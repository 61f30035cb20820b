import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { Cluster } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

/** A one-partition topic holding `count` records: key `k<i>`, value {i}. */
async function topicWith(count: number): Promise<string> {
  const topic = await cluster.createTopic(1);
  const input = Array.from({ length: count }, (_, i) => `k${i}\t{"i": ${i}}`).join('\n');
  await cluster.ok(['produce', topic], { input });
  return topic;
}

interface SubscriptionList {
  email: string;
  subscriptions: Array<{ topic: string; lag: number; partitions: Array<{ partition: number; committed_offset: number; high_watermark: number; lag: number }> }>;
}

describe('tributary consume', () => {
  it('subscribes, prints offset<TAB>key<TAB>value lines until caught up, and commits what it printed', async () => {
    const topic = await topicWith(3);
    const email = uniqueEmail();
    const first = await cluster.run(['consume', topic, '--email', email, '--key', 'any']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('0\tk0\t{"i":0}\n1\tk1\t{"i":1}\n2\tk2\t{"i":2}\n');
    expect(first.stderr).toContain(`subscribed ${email} to ${topic}`);

    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'any'])).toBe('');
    await cluster.ok(['produce', topic, '-k', 'late', '"news"']);
    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'any'])).toBe('3\tlate\tnews\n');
  });

  it('--json prints one JSON object per record and nothing else', async () => {
    const topic = await topicWith(2);
    const out = await cluster.ok(['--json', 'consume', topic, '--email', uniqueEmail(), '--key', 'x']);
    expect(out.split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual([
      { topic, partition: 0, offset: 0, key: 'k0', value: { i: 0 }, timestamp: expect.any(Number), headers: {} },
      { topic, partition: 0, offset: 1, key: 'k1', value: { i: 1 }, timestamp: expect.any(Number), headers: {} },
    ]);
  });

  it('--max stops early and commits only what it printed; the next run goes on from there', async () => {
    const topic = await topicWith(2_500);
    const email = uniqueEmail();
    const offsets = async (max: string) =>
      (await cluster.ok(['consume', topic, '--email', email, '--key', 'k', '--max', max])).split('\n').filter(Boolean).map((line) => Number(line.split('\t')[0]));
    expect(await offsets('2')).toEqual([0, 1]);
    expect(await offsets('1500')).toEqual(Array.from({ length: 1_500 }, (_, i) => i + 2));
    expect(await offsets('5000')).toEqual(Array.from({ length: 998 }, (_, i) => i + 1_502));
  });

  it('--only-key prints only that key’s records; with --max the commit stops after the last one printed', async () => {
    const topic = await cluster.createTopic(1);
    await cluster.ok(['produce', topic], { input: 'a\t1\nb\t2\na\t3\nb\t4\na\t5\n' });
    const email = uniqueEmail();
    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'a', '--only-key', '--max', '2'])).toBe('0\ta\t1\n2\ta\t3\n');
    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'a'])).toBe('3\tb\t4\n4\ta\t5\n');
  });

  it('--from latest starts a new subscription after the records already there', async () => {
    const topic = await topicWith(5);
    const email = uniqueEmail();
    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'k', '--from', 'latest'])).toBe('');
    await cluster.ok(['produce', topic, '-k', 'k', 'new']);
    expect(await cluster.ok(['consume', topic, '--email', email, '--key', 'k', '--from', 'earliest'])).toBe('5\tk\tnew\n');
  });

  it('--follow prints a record produced after it started, and stops on Ctrl-C with exit 0', async () => {
    const topic = await cluster.createTopic(3);
    const email = uniqueEmail();
    const follower = cluster.spawn(['consume', topic, '--email', email, '--key', 'user1', '--follow']);
    try {
      await follower.waitForOutput('the first read', (child) => child.stderr.includes(`reading ${topic} partition`));
      // Produced after the consumer started: it arrives through the follow loop, not the first read.
      await cluster.ok(['produce', topic, '-k', 'user1', '{"late": true}']);
      await follower.waitForOutput('the record', (child) => child.lines.length === 1);
      expect(follower.lines[0]).toMatch(/^0\tuser1\t\{"late":true\}$/);

      // It keeps following: a second record arrives too.
      await cluster.ok(['produce', topic, '-k', 'user1', '2']);
      await follower.waitForOutput('the second record', (child) => child.lines.length === 2);
      expect(follower.lines[1]).toBe('1\tuser1\t2');
    } finally {
      follower.process.kill('SIGINT');
    }
    expect((await follower.exited).code).toBe(0);

    const { subscriptions } = await cluster.json<SubscriptionList>(['subscriptions', email]);
    const partition = subscriptions[0]!.partitions.find((p) => p.high_watermark === 2)!;
    expect(partition).toMatchObject({ committed_offset: 2, lag: 0 });
  });

  it('--follow --json streams JSON lines', async () => {
    const topic = await cluster.createTopic(1);
    const email = uniqueEmail();
    const follower = cluster.spawn(['--json', 'consume', topic, '--email', email, '--key', 'k', '--follow']);
    try {
      await waitFor(async () => (await cluster.json<SubscriptionList>(['subscriptions', email])).subscriptions.length === 1, { what: 'the subscription' });
      await cluster.ok(['produce', topic, '-k', 'k', '[1, 2]']);
      await follower.waitForOutput('the record', (child) => child.lines.length === 1);
      expect(JSON.parse(follower.lines[0]!)).toMatchObject({ topic, partition: 0, offset: 0, key: 'k', value: [1, 2] });
      expect(follower.stderr).toBe('');
    } finally {
      follower.process.kill('SIGINT');
    }
    expect((await follower.exited).code).toBe(0);
  });

  it('refusals exit 1 with the gateway’s message; a bad command line exits 2', async () => {
    const missing = uniqueName('missing');
    expect(await cluster.run(['consume', missing, '--email', uniqueEmail(), '--key', 'k'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: topic "${missing}" does not exist\n`,
    });
    const topic = await cluster.createTopic(1);
    const badEmail = await cluster.run(['consume', topic, '--email', 'not-an-email', '--key', 'k']);
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toMatch(/^error: email must be/);

    for (const args of [
      ['consume', topic, '--key', 'k'],
      ['consume', topic, '--email', uniqueEmail(), '--group', 'g'],
      ['consume', topic, '--email', uniqueEmail(), '--key', 'k', '--partition', '0'],
      ['consume', topic, '--group', 'g', '--key', 'k'],
      ['consume', topic, '--email', uniqueEmail(), '--only-key'],
      ['consume', topic, '--email', uniqueEmail(), '--key', 'k', '--from', 'middle'],
      ['consume', topic, '--email', uniqueEmail(), '--key', 'k', '--max', '0'],
    ]) {
      const result = await cluster.run(args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
    }
  });
});

describe('tributary consume without --key', () => {
  it('reads every partition, printing partition<TAB>offset<TAB>key<TAB>value, and commits what it printed', async () => {
    const topic = await cluster.createTopic(4);
    await cluster.ok(['produce', topic], { input: 'foobar\t1\nabc\t2\nkafka\t3\n{"key": null, "value": 4}\n' }); // 2, 3, 0, any
    const email = uniqueEmail();
    const first = await cluster.run(['consume', topic, '--email', email]);
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n').filter(Boolean).sort();
    expect(lines).toHaveLength(4);
    expect(lines).toEqual(expect.arrayContaining(['0\t0\tkafka\t3', '2\t0\tfoobar\t1', '3\t0\tabc\t2']));
    expect(lines.find((line) => line.endsWith('\t4'))).toMatch(/^\d\t\d\t\t4$/);
    expect(first.stderr).toContain(`reading ${topic} 4 partitions (4 behind)`);
    expect(await cluster.ok(['consume', topic, '--email', email])).toBe('');
    const { subscriptions } = await cluster.json<SubscriptionList>(['subscriptions', email]);
    expect(subscriptions[0]!.lag).toBe(0);
  });

  it('--partition reads one partition; --max commits only what it printed', async () => {
    const topic = await cluster.createTopic(3);
    await cluster.ok(['produce', topic], { input: 'kafka\t1\nkafka\t2\nkafka\t3\n' }); // all in partition 1 of 3
    const email = uniqueEmail();
    expect(await cluster.ok(['consume', topic, '--email', email, '--partition', '1', '--max', '2'])).toBe('1\t0\tkafka\t1\n1\t1\tkafka\t2\n');
    expect(await cluster.ok(['consume', topic, '--email', email, '--partition', '0'])).toBe('');
    expect(await cluster.ok(['consume', topic, '--email', email])).toBe('1\t2\tkafka\t3\n');
  });
});

describe('tributary subscriptions', () => {
  it('lists topics with committed offset, high watermark and lag per partition', async () => {
    const topic = await cluster.createTopic(4);
    await cluster.ok(['produce', topic], { input: 'foobar\t1\nfoobar\t2\nabc\t3\nkafka\t4\n' }); // partitions 2, 2, 3, 0
    const email = uniqueEmail();
    await cluster.ok(['consume', topic, '--email', email, '--key', 'foobar', '--max', '1']);

    const list = await cluster.json<SubscriptionList>(['subscriptions', email]);
    expect(list.email).toBe(email);
    expect(list.subscriptions).toEqual([
      {
        topic,
        topic_id: expect.any(String),
        lag: 3,
        partitions: [
          { partition: 0, committed_offset: 0, log_start_offset: 0, high_watermark: 1, lag: 1 },
          { partition: 1, committed_offset: 0, log_start_offset: 0, high_watermark: 0, lag: 0 },
          { partition: 2, committed_offset: 1, log_start_offset: 0, high_watermark: 2, lag: 1 },
          { partition: 3, committed_offset: 0, log_start_offset: 0, high_watermark: 1, lag: 1 },
        ],
      },
    ]);

    const text = await cluster.ok(['subscriptions', email]);
    expect(text.split('\n')[0]).toMatch(/^TOPIC\s+PARTITION\s+COMMITTED OFFSET\s+LOG-START OFFSET\s+HIGH WATERMARK\s+LAG$/);
    expect(text).toMatch(new RegExp(`^${topic}\\s+2\\s+1\\s+0\\s+2\\s+1$`, 'm'));
    expect(text).toMatch(/^total lag 3$/m);
  });

  it('says so when there are none; a bad email exits 1', async () => {
    const email = uniqueEmail();
    expect(await cluster.ok(['subscriptions', email])).toBe(`${email} has no subscriptions\n`);
    expect(await cluster.json(['subscriptions', email])).toEqual({ email, subscriptions: [] });
    const bad = await cluster.run(['subscriptions', 'nobody']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: email must be/);
  });
});
