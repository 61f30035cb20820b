import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, PartitionWriter, type Broker } from '@tributary/broker';
import { connectRedis, createRedis, LogStore, partitionKeys, zooKeeperPaths, type RedisClient, type Topic } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName, waitFor, zooKeeperTree } from '@tributary/testkit';

const config = testConfig({ retentionCheckMs: 100, maxPartitions: 64 });
let broker: Broker;
let redis: RedisClient;
let port: number | undefined;

beforeAll(async () => {
  broker = await createBroker(config);
  redis = await inspectRedis();
});
afterAll(async () => {
  await broker?.close();
  redis?.disconnect();
});

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  broker.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

async function create(topic: string, partitions = 3, body?: unknown) {
  const response = await inject('POST', `/create_topic/${topic}/${partitions}`, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function writeBatch(topic: string, count: number, key: (i: number) => string = (i) => `k${i}`) {
  const records = Array.from({ length: count }, (_, i) => ({ key: key(i), value: i }));
  const response = await inject('POST', `/write/${topic}`, { records });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().results as Array<{ partition: number; offset: number }>;
}

describe('create_topic', () => {
  it('answers 201 with the description: name, id, partitions at offset 0, default config', async () => {
    const topic = uniqueName('news');
    const description = await create(topic, 3);
    expect(description).toMatchObject({
      name: topic,
      partition_count: 3,
      config: { retention_ms: 7 * 24 * 3600 * 1000, max_record_bytes: 1024 * 1024 },
    });
    expect(description.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(description.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, log_start_offset: 0, next_offset: 0, records: 0 })));
  });

  it('takes retention and maximum record size from a JSON body', async () => {
    const topic = uniqueName('configured');
    const description = await create(topic, 1, { retention_ms: 60_000, max_record_bytes: 2048 });
    expect(description.config).toMatchObject({ retention_ms: 60_000, max_record_bytes: 2048 });
    const described = await inject('GET', `/topics/${topic}`);
    expect(described.json().config).toMatchObject({ retention_ms: 60_000, max_record_bytes: 2048 });
  });

  it('accepts an empty JSON body, as curl sends with only a content-type header', async () => {
    const response = await broker.app.inject({
      method: 'POST',
      url: `/create_topic/${uniqueName()}/1`,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers 409 TOPIC_EXISTS for a topic that exists, and leaves it untouched', async () => {
    const topic = uniqueName('dup');
    const first = await create(topic, 2);
    await writeBatch(topic, 10);
    const again = await inject('POST', `/create_topic/${topic}/5`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ statusCode: 409, code: 'TOPIC_EXISTS', error: 'Conflict' });
    const described = (await inject('GET', `/topics/${topic}`)).json();
    expect(described.id).toBe(first.id);
    expect(described.partition_count).toBe(2);
    expect(described.partitions.reduce((n: number, p: { records: number }) => n + p.records, 0)).toBe(10);
  });

  it.each([
    ['a name over 249 characters', 'x'.repeat(250), 'INVALID_TOPIC_NAME', /1 to 249/],
    ['a name with a space', 'bad%20name', 'INVALID_TOPIC_NAME', /may contain only/],
    ['a name with a non-ASCII letter', 'caf%C3%A9', 'INVALID_TOPIC_NAME', /may contain only/],
  ])('answers 400 for %s', async (_what, name, code, message) => {
    const response = await inject('POST', `/create_topic/${name}/1`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, code, error: 'Bad Request' });
    expect(response.json().message).toMatch(message);
  });

  it.each([['%2E', '.'], ['%2E%2E', '..']])('answers 400 for the topic name %s over real HTTP', async (encoded, name) => {
    // Clients and inject() resolve a literal or encoded dot segment away; a raw HTTP request keeps it.
    port ??= (await broker.listen()).port;
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: `/create_topic/${encoded}/1` }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.end();
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_TOPIC_NAME', message: `topic name cannot be "${name}"` });
  });

  it('accepts every legal character, up to 249 of them', async () => {
    await create(`Ab.9_-${uniqueName()}`, 1);
    await create(`${uniqueName()}${'z'.repeat(249 - 12)}`, 1);
  });

  it.each([['0'], ['-1'], ['abc'], ['1.5'], ['65']])('answers 400 INVALID_PARTITION_COUNT for %s partitions', async (count) => {
    const response = await inject('POST', `/create_topic/${uniqueName()}/${count}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_PARTITION_COUNT');
    expect(response.json().message).toContain(`from 1 to 64, got "${count}"`);
  });

  it.each([
    [{ retention_ms: 0 }, 'INVALID_TOPIC_CONFIG', /retention_ms/],
    [{ max_record_bytes: 0 }, 'INVALID_TOPIC_CONFIG', /max_record_bytes/],
    [{ max_record_bytes: 10 * 1024 * 1024 * 1024 }, 'INVALID_TOPIC_CONFIG', /max_record_bytes/],
    [{ retention_ms: 'a week' }, 'INVALID_REQUEST', /body\.retention_ms must be integer/],
    [{ compaction: true }, 'INVALID_REQUEST', /body\.compaction is not a known field/],
  ])('answers 400 for the config %j', async (body, code, message) => {
    const response = await inject('POST', `/create_topic/${uniqueName()}/1`, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
    expect(response.json().message).toMatch(message);
  });

  it('answers 400 INVALID_JSON for a body that is not JSON', async () => {
    const response = await broker.app.inject({
      method: 'POST',
      url: `/create_topic/${uniqueName()}/1`,
      headers: { 'content-type': 'application/json' },
      payload: '{"retention_ms": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_JSON');
  });
});

describe('topics', () => {
  it('lists topics with their partitions and offsets', async () => {
    const topic = uniqueName('listed');
    await create(topic, 2);
    await writeBatch(topic, 20);
    const { topics } = (await inject('GET', '/topics')).json();
    const listed = topics.find((t: { name: string }) => t.name === topic);
    expect(listed.partition_count).toBe(2);
    expect(listed.partitions.map((p: { next_offset: number }) => p.next_offset).reduce((a: number, b: number) => a + b)).toBe(20);
  });

  it('answers 404 TOPIC_NOT_FOUND for an unknown topic', async () => {
    const response = await inject('GET', `/topics/${uniqueName('nope')}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'TOPIC_NOT_FOUND', error: 'Not Found' });
  });

  it('answers 404 ROUTE_NOT_FOUND with the error body for an unknown route', async () => {
    const response = await inject('GET', '/nothing/here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      error: 'Not Found',
      message: 'no route GET /nothing/here',
      retriable: false,
    });
  });
});

describe('delete_topic', () => {
  it('answers 404 for an unknown topic', async () => {
    const response = await inject('DELETE', `/delete_topic/${uniqueName()}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('TOPIC_NOT_FOUND');
  });

  it('makes records unreachable at once, and a re-created topic starts empty at offset 0 (I4)', async () => {
    const topic = uniqueName('recreated');
    const old = await create(topic, 2);
    await writeBatch(topic, 50);

    const deleted = await inject('DELETE', `/delete_topic/${topic}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ name: topic, id: old.id, deleted: true });
    expect((await inject('POST', `/write/${topic}`, { key: 'a', value: 1 })).statusCode).toBe(404);
    expect((await inject('GET', `/topics/${topic}`)).statusCode).toBe(404);

    const fresh = await create(topic, 2);
    expect(fresh.id).not.toBe(old.id);
    const write = await inject('POST', `/write/${topic}`, { key: 'a', value: 'new' });
    expect(write.json()).toMatchObject({ offset: 0 });
    const described = (await inject('GET', `/topics/${topic}`)).json();
    expect(described.partitions.map((p: { records: number }) => p.records).reduce((a: number, b: number) => a + b)).toBe(1);
  });

  it('refuses writes from a broker whose metadata still has the deleted topic', async () => {
    const topic = uniqueName('stale');
    const created = await create(topic, 1);
    const stale: Topic = {
      name: topic,
      id: created.id,
      partitions: 1,
      createdAt: 0,
      config: { retentionMs: -1, maxRecordBytes: 1024, segmentRecords: created.config.segment_records },
    };
    await inject('DELETE', `/delete_topic/${topic}`);
    // The partition's tombstone refuses the append instead of recreating the log under the old id.
    const client = createRedis(config, { name: 'stale-broker' });
    await connectRedis(client, config);
    try {
      await expect(new PartitionWriter(new LogStore(client)).write(stale, [{ key: 'k', value: 1 }])).rejects.toMatchObject({
        code: 'TOPIC_NOT_FOUND',
        message: `topic "${topic}" was deleted`,
      });
    } finally {
      client.disconnect();
    }
  });

  it('reclaims the deleted topic storage in the background', async () => {
    const topic = uniqueName('reclaimed');
    const { id } = await create(topic, 2);
    await writeBatch(topic, 2_500, (i) => `key-${i % 7}`);
    const keys = [0, 1].map((partition) => partitionKeys({ topicId: id, partition }));
    expect(await redis.exists(keys[0]!.segment(0))).toBe(1);

    await inject('DELETE', `/delete_topic/${topic}`);
    await waitFor(async () => {
      const segments = await Promise.all(keys.flatMap((k) => [0, 1000, 2000].map((base) => redis.exists(k.segment(base)))));
      const indexes = await Promise.all(keys.map((k) => redis.exists(k.segments)));
      return [...segments, ...indexes].every((n) => n === 0);
    }, { what: 'segments reclaimed' });
    // The controller marks its to-do node done (it stays an hour, so a late delete of this id can tell it
    // is gone); the state hash stays as an expiring tombstone.
    const paths = zooKeeperPaths(config.zookeeperRoot);
    await waitFor(
      async () => {
        const node = (await zooKeeperTree(paths.deletedTopics)).find(({ path }) => path === paths.deletedTopic(id));
        return node !== undefined && typeof JSON.parse(node.data).reclaimedAt === 'number';
      },
      { what: 'deleted-topic node marked reclaimed' },
    );
    expect(await redis.ttl(keys[0]!.state)).toBeGreaterThan(0);
  });
});

describe('retention', () => {
  it('drops whole old segments and advances the log start; offsets never shift (I1)', async () => {
    const topic = uniqueName('retained');
    await create(topic, 1, { retention_ms: 1 });
    await writeBatch(topic, 2_500);
    const described = await waitFor(async () => {
      const d = (await inject('GET', `/topics/${topic}`)).json();
      return d.partitions[0].log_start_offset === 2000 ? d : undefined;
    }, { what: 'log start to reach 2000' });
    // The active segment (2000..2499) stays; the offsets of what remains are unchanged.
    expect(described.partitions[0]).toEqual({ partition: 0, log_start_offset: 2000, next_offset: 2500, records: 500 });
    const next = await inject('POST', `/write/${topic}`, { key: 'k', value: 'after' });
    expect(next.json().offset).toBe(2500);
  });

  it('keeps records forever with retention_ms -1', async () => {
    const topic = uniqueName('forever');
    await create(topic, 1, { retention_ms: -1 });
    await writeBatch(topic, 2_100);
    // Let several retention passes run (they run every 100 ms here), then check nothing moved.
    const passes = await waitFor(async () => ((await redis.time()) ? Date.now() : undefined));
    await waitFor(() => Date.now() > passes + 500 || undefined, { what: 'retention passes' });
    const d = (await inject('GET', `/topics/${topic}`)).json();
    expect(d.partitions[0].log_start_offset).toBe(0);
  });
});
