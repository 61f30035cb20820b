// Resharding under load: a partition's hash slot moves to another master while brokers write to it. During
// the move Redis answers ASK (keys already moved), TRYAGAIN (a script's keys split between the two nodes)
// and finally MOVED; the cluster client follows them, none of them runs the command, so no write is lost,
// doubled or misplaced, and every write after the move succeeds. Starts its own 3-master cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { decodeEntry, partitionKeys, segmentSlices } from '@tributary/core';
import { startRedisCluster, type RedisCluster, type ServerNode } from '@tributary/local-stack';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

let dir: string;
let cluster: RedisCluster;
let broker: Broker;
const clients: Redis[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-reshard-'));
  cluster = await startRedisCluster({ dir, masters: 3, persistent: false });
  const seeds = cluster.seeds.split(',');
  const [host, port] = seeds[0]!.split(':') as [string, string];
  broker = await createBroker(testConfig({ redisClusterNodes: seeds, redisHost: host, redisPort: Number(port) }));
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await broker?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A plain connection to one node, for the cluster admin commands a migration takes. */
async function node(server: ServerNode): Promise<Redis> {
  const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await client.connect();
  clients.push(client);
  return client;
}

interface Master {
  server: ServerNode;
  client: Redis;
}

/** Moves `slot` from `source` to `target` the way redis-cli --cluster reshard does, key batch by key batch. */
async function migrateSlot(slot: number, source: Master, target: Master, masters: Master[], between: () => Promise<void>) {
  const [sourceId, targetId] = (await Promise.all([source.client.cluster('MYID'), target.client.cluster('MYID')])) as [string, string];
  await target.client.cluster('SETSLOT', slot, 'IMPORTING', sourceId);
  await source.client.cluster('SETSLOT', slot, 'MIGRATING', targetId);
  for (;;) {
    const keys = (await source.client.cluster('GETKEYSINSLOT', slot, 2)) as string[];
    if (keys.length === 0) break;
    await source.client.migrate(target.server.host, target.server.port, '', 0, 5_000, 'KEYS', ...keys);
    await between();
  }
  for (const { client } of masters) await client.cluster('SETSLOT', slot, 'NODE', targetId);
}

describe('resharding', () => {
  it('moves a partition to another master under writes: ASK, TRYAGAIN and MOVED are followed, nothing is lost or doubled', async () => {
    const topic = uniqueName('reshard');
    const created = await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });
    expect(created.statusCode).toBe(201);
    const keys = partitionKeys({ topicId: created.json().id, partition: 0 });

    const acked = new Map<number, number>(); // value -> offset
    const refused: string[] = [];
    let next = 0;
    let answered = 0;
    const writeOne = async () => {
      const value = next++;
      const response = await broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value } });
      answered++;
      if (response.statusCode === 200) acked.set(value, response.json().offset);
      else refused.push(`${response.statusCode} ${response.json().code}`);
    };
    // Enough records for several segment lists, so the migration moves keys in several batches.
    for (let i = 0; i < 25; i++) await Promise.all(Array.from({ length: 100 }, writeOne));
    expect(acked.size).toBe(2_500);

    // Four writers run through the whole move; the move waits for some of their writes between key batches.
    let moving = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (moving) await writeOne();
    });
    const masters = await Promise.all((await cluster.masters()).map(async (server) => ({ server, client: await node(server) })));
    const keysIn = async ({ client }: Master, slot: number) => Number(await client.cluster('COUNTKEYSINSLOT', slot));
    const slot = Number(await masters[0]!.client.cluster('KEYSLOT', keys.state));
    const owners = await Promise.all(masters.map(async (master) => (await keysIn(master, slot)) > 0));
    const source = masters[owners.indexOf(true)]!;
    const target = masters[(owners.indexOf(true) + 1) % masters.length]!;
    try {
      await migrateSlot(slot, source, target, masters, async () => {
        const seen = answered;
        await waitFor(() => answered >= seen + 8, { what: 'writes between key batches' });
      });
    } finally {
      moving = false;
      await Promise.all(writers);
    }
    expect(await keysIn(target, slot)).toBeGreaterThan(0);
    expect(await keysIn(source, slot)).toBe(0);
    // A write refused mid-move was never run: it says so (REDIS_UNAVAILABLE), so a retry is safe.
    for (const refusal of refused) expect(refusal).toBe('503 REDIS_UNAVAILABLE');
    const before = acked.size;
    await Promise.all(Array.from({ length: 50 }, writeOne));
    expect(acked.size - before).toBe(50); // every write after the move succeeds

    // Read the partition back from its new master: each acknowledged record at its offset, exactly once.
    const nextOffset = Number(await target.client.hget(keys.state, 'next'));
    const stored: number[] = [];
    for (const { base, start, stop } of segmentSlices(0, nextOffset, 1000)) {
      for (const entry of await target.client.lrange(keys.segment(base), start, stop)) stored.push(decodeEntry(entry, stored.length).value as number);
    }
    expect(stored).toHaveLength(nextOffset);
    expect(new Set(stored).size).toBe(stored.length);
    for (const [value, offset] of acked) expect(stored[offset]).toBe(value);
    console.log(`resharding: ${acked.size} writes acknowledged, ${refused.length} refused during the move and safe to retry`);
  });
});
