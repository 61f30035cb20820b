import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@tributary/testkit';
import { BIN, Child, Cluster } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

describe('tributary topics', () => {
  it('creates a topic with config and prints its description', async () => {
    const name = uniqueName('topic');
    const out = await cluster.ok(['topics', 'create', name, '-p', '3', '--retention', '12h', '--max-record-bytes', '2048']);
    expect(out).toContain(`created topic ${name}`);
    expect(out).toMatch(/retention\s+12h \(43200000 ms\)/);
    expect(out).toMatch(/max record\s+2048 bytes/);
    expect(out).toMatch(/PARTITION\s+LOG-START OFFSET\s+NEXT OFFSET\s+RECORDS/);
  });

  it('create --json prints the broker’s topic description and nothing else', async () => {
    const name = uniqueName('topic');
    const description = await cluster.json(['topics', 'create', name, '--partitions', '2', '--retention', 'forever']);
    expect(description).toMatchObject({ name, partition_count: 2, config: { retention_ms: -1 } });
    expect(description.partitions).toEqual([
      { partition: 0, log_start_offset: 0, next_offset: 0, records: 0 },
      { partition: 1, log_start_offset: 0, next_offset: 0, records: 0 },
    ]);
  });

  it('describe shows every partition with log-start offset, next offset and record count', async () => {
    const name = await cluster.createTopic(4);
    const keys = ['foobar', 'abc', 'kafka', 'foobar']; // partitions 2, 3, 0, 2 (docs/invariants.md I2)
    await cluster.ok(['produce', name], { input: keys.map((key) => `${key}\tv`).join('\n') });

    const described = await cluster.json(['topics', 'describe', name]);
    expect(described.partitions).toEqual([
      { partition: 0, log_start_offset: 0, next_offset: 1, records: 1 },
      { partition: 1, log_start_offset: 0, next_offset: 0, records: 0 },
      { partition: 2, log_start_offset: 0, next_offset: 2, records: 2 },
      { partition: 3, log_start_offset: 0, next_offset: 1, records: 1 },
    ]);

    const text = await cluster.ok(['topics', 'describe', name]);
    const rows = text.split('\n').filter((line) => /^\s*\d+\s+\d+\s+\d+\s+\d+$/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).map(Number))).toEqual([
      [0, 0, 1, 1],
      [1, 0, 0, 0],
      [2, 0, 2, 2],
      [3, 0, 1, 1],
    ]);
    expect(text).toMatch(/records\s+4/);
    expect(text).toMatch(/retention\s+7d \(604800000 ms\)/);
  });

  it('alter changes retention, maximum record size, dedup window and grows partitions with a warning', async () => {
    const name = await cluster.createTopic(2);
    const out = await cluster.ok(['topics', 'alter', name, '--retention', '2h', '--max-record-bytes', '4096', '--dedup-window', '10m']);
    expect(out).toContain(`altered topic ${name}`);
    expect(out).toMatch(/retention\s+2h \(7200000 ms\)/);
    expect(out).toMatch(/max record\s+4096 bytes/);
    const grown = await cluster.run(['topics', 'alter', name, '-p', '3']);
    expect(grown.code, grown.stderr).toBe(0);
    expect(grown.stderr).toMatch(/^warning: topic ".+" grew from 2 to 3 partitions: records with a key may now go to a different partition/m);
    const described = await cluster.json(['topics', 'describe', name]);
    expect(described).toMatchObject({ partition_count: 3, config: { retention_ms: 7_200_000, max_record_bytes: 4096, dedup_window_ms: 600_000 } });
    const json = await cluster.json(['topics', 'alter', name, '--dedup-window', '0']);
    expect(json.config.dedup_window_ms).toBe(0);
  });

  it('alter refuses fewer partitions and says what to change when given nothing', async () => {
    const name = await cluster.createTopic(3);
    const fewer = await cluster.run(['topics', 'alter', name, '-p', '2']);
    expect(fewer.code).not.toBe(0);
    expect(fewer.stderr).toMatch(/has 3 partitions: the count can only grow/);
    const nothing = await cluster.run(['topics', 'alter', name]);
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/say what to change/);
  });

  it('list shows each topic once, as a table and as JSON', async () => {
    const a = await cluster.createTopic(1);
    const b = await cluster.createTopic(5);
    const { topics } = await cluster.json<{ topics: Array<{ name: string; partition_count: number }> }>(['topics', 'list']);
    expect(topics.filter((topic) => topic.name === a || topic.name === b).map((topic) => [topic.name, topic.partition_count]).sort()).toEqual(
      [
        [a, 1],
        [b, 5],
      ].sort(),
    );
    const text = await cluster.ok(['topics', 'list']);
    expect(text.split('\n')[0]).toMatch(/^NAME\s+PARTITIONS\s+RECORDS\s+RETENTION\s+CREATED$/);
    expect(text).toMatch(new RegExp(`^${b}\\s+5\\s+0\\s+7d\\s+\\d{4}-`, 'm'));
  });

  it('delete --yes deletes; the topic is then gone', async () => {
    const name = await cluster.createTopic(2);
    expect(await cluster.ok(['topics', 'delete', name, '--yes'])).toMatch(new RegExp(`^deleted topic ${name} \\(id [0-9a-f-]+\\)\\n$`));
    const again = await cluster.run(['topics', 'describe', name]);
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: `error: topic "${name}" does not exist\n` });
  });

  it('delete --json prints the broker’s answer', async () => {
    const name = await cluster.createTopic(1);
    expect(await cluster.json(['topics', 'delete', name, '-y'])).toMatchObject({ name, deleted: true });
  });

  it('delete without --yes refuses when stdin is not a terminal (exit 2) and deletes nothing', async () => {
    const name = await cluster.createTopic(1);
    const result = await cluster.run(['topics', 'delete', name]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`refusing to delete topic "${name}" without --yes`);
    expect((await cluster.json(['topics', 'describe', name])).name).toBe(name);
  });

  // `script` runs the CLI on a pseudo-terminal, so it asks; the answer is typed once the question shows.
  it.each([
    ['y\n', 0, true],
    ['n\n', 0, false], // no is an answer, not a failure: exit 0, nothing printed
    ['\u0004', 0, false], // Ctrl-D
  ])('delete on a terminal asks first; typing %j exits %i', async (typed, code, deleted) => {
    const name = await cluster.createTopic(2);
    const command = [process.execPath, BIN, ...cluster.urls, 'topics', 'delete', name].map((word) => `'${word}'`).join(' ');
    const child = new Child('script', ['-qec', command, '/dev/null']);
    child.process.stdin.on('error', () => {});
    await child.waitForOutput('the question', (c) => c.stdout.includes('[y/N]'));
    expect(child.stdout).toContain(`Delete topic "${name}" (2 partitions, 0 records)? This cannot be undone. [y/N]`);
    child.process.stdin.write(typed);
    const result = await child.exited;
    expect(result.code).toBe(code);
    if (deleted) expect(result.stdout).toContain(`deleted topic ${name}`);
    else expect(result.stdout).not.toMatch(/error|not deleted/);
    const describe = await cluster.run(['topics', 'describe', name]);
    expect(describe.code).toBe(deleted ? 1 : 0);
  });

  it('the question counts in the singular when there is one', async () => {
    const name = await cluster.createTopic(1);
    await cluster.ok(['produce', name, '-k', 'k', 'v']);
    const command = [process.execPath, BIN, ...cluster.urls, 'topics', 'delete', name].map((word) => `'${word}'`).join(' ');
    const child = new Child('script', ['-qec', command, '/dev/null']);
    child.process.stdin.on('error', () => {});
    await child.waitForOutput('the question', (c) => c.stdout.includes('[y/N]'));
    expect(child.stdout).toContain(`Delete topic "${name}" (1 partition, 1 record)? This cannot be undone. [y/N]`);
    child.process.stdin.write('n\n');
    expect((await child.exited).code).toBe(0);
  });

  it('--help marks required options', async () => {
    const { stdout } = await cluster.run(['topics', 'create', '--help']);
    expect(stdout).toMatch(/-p, --partitions <n>\s+\(required\) number of partitions/);
  });

  it('create bounds -p by the most a broker accepts', async () => {
    const result = await cluster.run(['topics', 'create', uniqueName('t'), '-p', '100001']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('100000');
  });

  it('a refused create exits 1 with the broker’s message, plainly', async () => {
    const name = await cluster.createTopic(1);
    expect(await cluster.run(['topics', 'create', name, '-p', '1'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: topic "${name}" already exists\n`,
    });
    const bad = await cluster.run(['--json', 'topics', 'create', 'no/slash', '-p', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^error: .*topic name/);
  });

  it('bad option values are usage errors (exit 2) and send nothing', async () => {
    const name = uniqueName('topic');
    for (const args of [
      ['topics', 'create', name],
      ['topics', 'create', name, '-p', 'three'],
      ['topics', 'create', name, '-p', '0'],
      ['topics', 'create', name, '-p', '1', '--retention', '7 days'],
      ['topics', 'create', name, '-p', '1', '--max-record-bytes', '1.5'],
      ['topics', 'describe'],
      ['topics', 'describe', name, 'extra'],
      ['topics', 'frobnicate'],
    ]) {
      const result = await cluster.run(args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^error: /);
    }
    expect((await cluster.run(['topics', 'describe', name])).code).toBe(1);
  });
});
