// `tributary stats`, `tributary replay`, `tributary replays [list|show|cancel]`, against a real broker and gateway.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '@tributary/testkit';
import { Cluster } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

it('replays a filtered window into another topic, waiting for it, and shows and lists it', async () => {
  const [source, target] = [await cluster.createTopic(2), await cluster.createTopic(1)];
  for (const [key, value] of [['m1', '{"mode": "ranked", "minutes": 31}'], ['m2', '{"mode": "casual", "minutes": 12}'], ['m3', '{"mode": "ranked", "minutes": 8}']]) {
    await cluster.ok(['produce', source, '-k', key!, value!]);
  }

  const waited = await cluster.run(['replay', source, '--to-topic', target, '--from', '1h', '--filter', '{"mode": "ranked", "minutes": {"$gte": 10}}', '--wait']);
  expect(waited.code, waited.stderr).toBe(0);
  expect(waited.stdout).toMatch(/^[0-9a-f]{16} completed: 100% \(3 of 3 scanned, 1 matched, 1 written\) in /);
  const id = waited.stdout.slice(0, 16);

  const copied = (await cluster.ok(['tail', target])).trim().split('\n');
  expect(copied).toHaveLength(1);
  expect(copied[0]).toMatch(/\tm1\t\{"mode":"ranked","minutes":31\}$/);

  const shown = await cluster.ok(['replays', 'show', id]);
  expect(shown).toMatch(new RegExp(`^from\\s+${source}, `, 'm'));
  expect(shown).toMatch(new RegExp(`^to\\s+topic ${target}$`, 'm'));
  expect(shown).toMatch(/^filter\s+\{"mode":"ranked","minutes":\{"\$gte":10\}\}$/m);
  expect((await cluster.json(['replays'])).replays.map((r: { replay_id: string }) => r.replay_id)).toContain(id);
  // Cancelling a replay that ended keeps its outcome.
  expect((await cluster.json(['replays', 'cancel', id])).status).toBe('completed');
});

it('refuses a replay with nowhere to go or a bad filter (exit 2), and an unknown topic (exit 1)', async () => {
  const source = await cluster.createTopic(1);
  const nowhere = await cluster.run(['replay', source]);
  expect(nowhere).toMatchObject({ code: 2, stderr: expect.stringContaining('--to-topic <topic> or --to-group <group>') });
  const badFilter = await cluster.run(['replay', source, '--to-topic', source, '--filter', '[1, 2]']);
  expect(badFilter).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a JSON object') });
  const unknown = await cluster.run(['replay', 'no-such-topic', '--to-topic', source]);
  expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no-such-topic') });
});

it('shows the cluster-wide stats', async () => {
  const topic = await cluster.createTopic(1);
  await cluster.ok(['produce', topic, '-k', 'k', '"v"']);
  const stats = await cluster.json(['stats']);
  expect(stats).toMatchObject({ topics: expect.any(Number), partitions: expect.any(Number), subscriptions: { emails: expect.any(Number), groups: expect.any(Number) } });
  expect(stats.topics).toBeGreaterThanOrEqual(1);
  // The counts reach Redis about once a second: the text names them once they have.
  await waitFor(async () => (await cluster.json(['stats'])).published_total > 0, { what: 'the published count' });
  const text = await cluster.ok(['stats']);
  expect(text).toMatch(/^published\s+\d+ \(\d+\.\d\/s\)$/m);
  expect(text).toMatch(/^topics\s+\d+ \(\d+ written in the last 5 minutes\), \d+ partitions$/m);
});
