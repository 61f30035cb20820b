import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '@tributary/testkit';
import { BIN, Child, Cluster } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

const lines = (out: string) => out.split('\n').filter(Boolean).sort();

describe('tributary consume --group', () => {
  it('joins, prints partition<TAB>offset<TAB>key<TAB>value, commits after printing and leaves', async () => {
    const topic = await cluster.createTopic(2);
    await cluster.ok(['produce', topic], { input: 'a\t1\nb\t2\nc\t3\n' });
    const group = uniqueName('g');
    const first = await cluster.run(['consume', topic, '--group', group, '--member', 'cli']);
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout).map((line) => line.split('\t').slice(2).join('\t'))).toEqual(['a\t1', 'b\t2', 'c\t3']);
    expect(first.stderr).toMatch(new RegExp(`joined group ${group} as cli-[0-9a-f]+ \\(generation 1\\)`));
    expect(first.stderr).toContain(`left group ${group}`);

    const described = await cluster.json(['groups', 'describe', group]);
    expect(described).toMatchObject({ group, members: [], lag: 0 });
    // Committed: a member joining later starts after them.
    await cluster.ok(['produce', topic, '-k', 'd', '4']);
    expect(lines(await cluster.ok(['consume', topic, '--group', group]))).toEqual([expect.stringMatching(/^\d\t\d\td\t4$/)]);
  });

  it('--follow keeps consuming until Ctrl-C, then leaves the group', async () => {
    const topic = await cluster.createTopic(1);
    const group = uniqueName('g');
    const member = cluster.spawn(['consume', topic, '--group', group, '--follow']);
    try {
      await member.waitForOutput('the join', (child) => child.stderr.includes('joined group'));
      await cluster.ok(['produce', topic, '-k', 'k', '"live"']);
      await member.waitForOutput('the record', (child) => child.lines.length === 1);
      expect(member.lines[0]).toBe('0\t0\tk\tlive');
    } finally {
      member.process.kill('SIGINT');
    }
    expect((await member.exited).code).toBe(0);
    await waitFor(async () => (await cluster.json(['groups', 'describe', group])).members.length === 0, { what: 'the member to leave' });
  });
});

describe('tributary groups', () => {
  // `script` runs the CLI on a pseudo-terminal, so it asks; the answer is typed once the question shows.
  it.each([
    ['n\n', false], // no is an answer, not a failure: exit 0, nothing printed
    ['y\n', true],
  ])('delete on a terminal asks first; typing %j exits 0', async (typed, deleted) => {
    const topic = await cluster.createTopic(1);
    const group = uniqueName('g');
    await cluster.ok(['consume', topic, '--group', group]); // joins and leaves: an empty group
    const command = [process.execPath, BIN, ...cluster.urls, 'groups', 'delete', group].map((word) => `'${word}'`).join(' ');
    const child = new Child('script', ['-qec', command, '/dev/null']);
    child.process.stdin.on('error', () => {});
    await child.waitForOutput('the question', (c) => c.stdout.includes('[y/N]'));
    child.process.stdin.write(typed);
    const result = await child.exited;
    expect(result.code).toBe(0);
    const after = result.stdout.slice(result.stdout.indexOf('[y/N]'));
    if (deleted) expect(after).toContain(`deleted group ${group}`);
    else expect(after).not.toMatch(/error|deleted/);
    expect((await cluster.run(['groups', 'describe', group])).code).toBe(deleted ? 1 : 0);
  });

  it('lists, describes, resets offsets (only without members) and deletes groups', async () => {
    const topic = await cluster.createTopic(1);
    await cluster.ok(['produce', topic], { input: 'a\t1\nb\t2\n' });
    const group = uniqueName('g');
    await cluster.ok(['consume', topic, '--group', group]);

    expect(await cluster.ok(['groups', 'list'])).toMatch(new RegExp(`^${group}\\s+empty\\s+0\\s+2$`, 'm'));
    const text = await cluster.ok(['groups', 'describe', group]);
    expect(text).toMatch(/^total lag\s+0$/m);
    expect(text).toMatch(new RegExp(`^${topic}\\s+0\\s+-\\s+2\\s+2\\s+0\\s+0$`, 'm'));

    expect(await cluster.ok(['groups', 'reset-offsets', group, '--to', 'earliest'])).toMatch(new RegExp(`^${topic}\\s+0\\s+0$`, 'm'));
    expect(lines(await cluster.ok(['consume', topic, '--group', group]))).toEqual(['0\t0\ta\t1', '0\t1\tb\t2']);
    expect(await cluster.json(['groups', 'reset-offsets', group, '--offset', `${topic}:0:1`])).toEqual({ group, offsets: [{ topic, partition: 0, offset: 1 }] });

    const member = cluster.spawn(['consume', topic, '--group', group, '--follow']);
    try {
      await member.waitForOutput('the join', (child) => child.stderr.includes('joined group'));
      const busy = await cluster.run(['groups', 'reset-offsets', group, '--to', 'latest']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/has live members/);
      expect((await cluster.run(['groups', 'delete', group, '--yes'])).code).toBe(1);
    } finally {
      member.process.kill('SIGINT');
    }
    await member.exited;

    expect((await cluster.run(['groups', 'delete', group])).code).toBe(2); // no --yes and no terminal
    expect(await cluster.ok(['groups', 'delete', group, '--yes'])).toBe(`deleted group ${group}\n`);
    const gone = await cluster.run(['groups', 'describe', group]);
    expect(gone).toMatchObject({ code: 1, stderr: `error: consumer group "${group}" does not exist\n` });
    for (const args of [['groups', 'reset-offsets', group], ['groups', 'reset-offsets', group, '--to', 'earliest', '--offset', `${topic}:0:0`], ['groups', 'reset-offsets', group, '--offset', 'nope']]) {
      expect((await cluster.run(args)).code, args.join(' ')).toBe(2);
    }
  });
});
