// A single redis-server of the test's own, restarted from its append-only file and stopped for an outage: these
// run in the 'single' project only (vitest.config.ts), as on a Redis Cluster they would test nothing new.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { startRedis, type RunningServer } from '@tributary/local-stack';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-restart-'));
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

const writeAndDescribe = (broker: Broker, topic: string, value: unknown) =>
  broker.app.inject({ method: 'POST', url: `/write/${topic}`, payload: { key: 'k', value } });

describe('durability', () => {
  it('keeps acknowledged records across a Redis restart (AOF, appendfsync always)', async () => {
    const redisDir = join(dir, 'redis');
    let redis: RunningServer = await startRedis({ dir: redisDir, appendfsync: 'always' });
    const port = redis.port;
    cleanup.push(() => redis.stop());
    const config = testConfig({ redisPort: port });
    const broker = await createBroker(config);
    cleanup.push(() => broker.close());

    const topic = uniqueName('aof');
    await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });
    const acked = await writeAndDescribe(broker, topic, 'must survive');
    expect(acked.statusCode).toBe(200);

    await redis.stop();
    redis = await startRedis({ dir: redisDir, port, appendfsync: 'always' });

    // The broker reconnects by itself; the record is still there and offsets continue after it.
    const next = await waitFor(async () => {
      const response = await writeAndDescribe(broker, topic, 'after Redis restart');
      return response.statusCode === 200 ? response.json() : undefined;
    }, { what: 'a write after Redis came back' });
    expect(next.offset).toBe(1);
  });
});

describe('outages answer 503 quickly, and service resumes', () => {
  it('Redis down: writes answer 503 REDIS_UNAVAILABLE (retriable), /readyz names Redis', async () => {
    let redis = await startRedis({ dir: join(dir, 'redis-outage'), persistent: false });
    const port = redis.port;
    cleanup.push(() => redis.stop());
    const broker = await createBroker(testConfig({ redisPort: port, redisTimeoutMs: 500 }));
    cleanup.push(() => broker.close());
    const topic = uniqueName('outage');
    await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1` });

    await redis.stop();
    const write = await writeAndDescribe(broker, topic, 1);
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ code: 'REDIS_UNAVAILABLE', retriable: true, error: 'Service Unavailable' });
    expect(write.headers['retry-after']).toBe('1');
    const ready = await broker.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'NOT_READY', checks: { zookeeper: 'ready' } });
    expect(ready.json().checks.redis).not.toBe('ready');
    expect(ready.json().message).toMatch(/redis is/);
    expect((await broker.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    redis = await startRedis({ dir: join(dir, 'redis-outage'), port, persistent: false });
    await waitFor(async () => (await broker.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { what: 'ready again' });
    // A Redis that lost its data (no persistence) lost the topic's log: the write is refused, not misplaced.
    const after = await writeAndDescribe(broker, topic, 2);
    expect(after.statusCode).toBe(404);
    expect(after.json().message).toMatch(/has no log in Redis/);
  });

});
