// Every route of the gateway, its answers and its error statuses and codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFor } from '@tributary/core';
import { uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import { client, offsetsOf, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

const records = (key: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ key, value: { n: from + i } }));

/** A one-partition topic holding `count` records with key "k", and a fresh consumer subscribed to it. */
async function subscribedTopic(count = 0, partitions = 1) {
  const topic = await stack.createTopic(partitions);
  if (count > 0) await stack.write(topic.name, records('k', count));
  const email = uniqueEmail();
  expect((await api.subscribe(email, topic.name)).statusCode).toBe(201);
  return { topic: topic.name, email };
}

function expectError(response: { statusCode: number; json(): any }, statusCode: number, code: string) {
  expect(response.statusCode).toBe(statusCode);
  const body = response.json();
  expect(body).toMatchObject({ statusCode, code, error: expect.any(String), message: expect.any(String) });
  return body as { message: string };
}

describe('POST /subscribe/:email/:topic', () => {
  it('answers 201 for a new subscription and 200, offsets untouched, when it already exists', async () => {
    const { topic, email } = await subscribedTopic(5);
    expect(offsetsOf((await api.read(email, topic, 'k', '?max=2')).json().messages)).toEqual([0, 1]);

    const again = await api.subscribe(email, topic, '?from=latest');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ email, topic, subscribed: true, created: false });
    expect(offsetsOf((await api.read(email, topic, 'k')).json().messages)).toEqual([2, 3, 4]);
  });

  it('starts at the earliest record by default', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 3));
    const email = uniqueEmail();
    const response = await api.subscribe(email, topic.name);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ email, topic: topic.name, subscribed: true, created: true });
    expect(offsetsOf((await api.read(email, topic.name, 'k')).json().messages)).toEqual([0, 1, 2]);
  });

  it('answers 404 TOPIC_NOT_FOUND for an unknown topic', async () => {
    expectError(await api.subscribe(uniqueEmail(), uniqueName('missing')), 404, 'TOPIC_NOT_FOUND');
  });

  it('answers 400 INVALID_EMAIL for addresses that are not emails, or could break a Redis hash tag', async () => {
    const topic = await stack.createTopic(1);
    const bad = [
      'not-an-email',
      'user@localhost', // no dot in the domain
      'us%20er@example.com', // a space
      'user@exa%7Bmple%7D.com', // braces
      '%7Buser%7D@example.com',
      'us%0Aer@example.com', // a control character
      '.user@example.com',
      'user@-example.com',
      `${'a'.repeat(65)}@example.com`, // local part over 64
      `user@${'a.'.repeat(125)}com`, // 258 characters, over 254
    ];
    for (const email of bad) {
      const body = expectError(await api.subscribe(email, topic.name), 400, 'INVALID_EMAIL');
      expect(body.message).toContain('email');
    }
  });

  it('lowercases emails: one consumer whatever the case', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, records('k', 2));
    const email = uniqueEmail();
    const mixed = `Mixed.Case+${email.replace('@example.com', '@Example.COM')}`;
    const subscribed = await api.subscribe(mixed, topic.name);
    expect(subscribed.statusCode).toBe(201);
    expect(subscribed.json().email).toBe(mixed.toLowerCase());
    const read = await api.read(mixed.toLowerCase(), topic.name, 'k');
    expect(read.statusCode).toBe(200);
    expect(read.json().email).toBe(mixed.toLowerCase());
    expect(offsetsOf(read.json().messages)).toEqual([0, 1]);
  });

  it('answers 400 for a bad `from` and a bad topic name', async () => {
    const topic = await stack.createTopic(1);
    expectError(await api.subscribe(uniqueEmail(), topic.name, '?from=middle'), 400, 'INVALID_REQUEST');
    expectError(await api.subscribe(uniqueEmail(), 'bad%24name'), 400, 'INVALID_REQUEST');
  });
});

describe('POST /unsubscribe/:email/:topic', () => {
  it('answers 200, removes the subscription and its offsets', async () => {
    const { topic, email } = await subscribedTopic(4);
    await api.read(email, topic, 'k', '?max=2');
    const response = await api.unsubscribe(email, topic);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ email, topic, subscribed: false });
    expectError(await api.read(email, topic, 'k'), 403, 'NOT_SUBSCRIBED');
    expect(await stack.redis.exists(`trib:consumer:{${email}}:offsets:${topic}`)).toBe(0);

    // Subscribing again starts over: the old offsets are gone.
    expect((await api.subscribe(email, topic)).statusCode).toBe(201);
    expect(offsetsOf((await api.read(email, topic, 'k')).json().messages)).toEqual([0, 1, 2, 3]);
  });

  it('answers 403 NOT_SUBSCRIBED with a message naming the consumer and topic', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    const body = expectError(await api.unsubscribe(email, topic.name), 403, 'NOT_SUBSCRIBED');
    expect(body.message).toContain(email);
    expect(body.message).toContain(topic.name);
  });

  it('works for a topic that no longer exists', async () => {
    const { topic, email } = await subscribedTopic(1);
    await stack.deleteTopic(topic);
    expect((await api.unsubscribe(email, topic)).statusCode).toBe(200);
    expectError(await api.unsubscribe(email, topic), 403, 'NOT_SUBSCRIBED');
  });
});

describe('GET /read/:email/:topic/:key', () => {
  it("returns the key's partition from the consumer's offset and advances it past what it returned", async () => {
    const topic = await stack.createTopic(3);
    const written = await stack.write(topic.name, [
      { key: 'kafka', value: 'a', headers: { source: 'wire' } },
      { key: 'kafka', value: { b: [1, 2] } },
      { key: 'foobar', value: 'elsewhere' },
    ]);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    const first = await api.read(email, topic.name, 'kafka', '?max=1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      email,
      topic: topic.name,
      key: 'kafka',
      partition: partitionFor('kafka', 3),
      start_offset: 0,
      next_offset: 1,
      log_start_offset: 0,
      high_watermark: 2,
      lag: 1,
      committed: true,
      messages: [{ offset: 0, key: 'kafka', value: 'a', timestamp: written[0]!.timestamp, headers: { source: 'wire' } }],
    });

    const second = (await api.read(email, topic.name, 'kafka')).json();
    expect(second).toMatchObject({ start_offset: 1, next_offset: 2, high_watermark: 2, lag: 0 });
    expect(second.messages).toEqual([{ offset: 1, key: 'kafka', value: { b: [1, 2] }, timestamp: written[1]!.timestamp, headers: {} }]);
  });

  it('answers an empty read with 200 and messages: []', async () => {
    const { topic, email } = await subscribedTopic(0);
    const response = await api.read(email, topic, 'k');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ start_offset: 0, next_offset: 0, high_watermark: 0, lag: 0, messages: [] });

    await stack.write(topic, records('k', 2));
    await api.read(email, topic, 'k');
    const drained = await api.read(email, topic, 'k');
    expect(drained.statusCode).toBe(200);
    expect(drained.json()).toMatchObject({ start_offset: 2, next_offset: 2, messages: [] });
  });

  it('returns at most `max` records, 100 by default', async () => {
    const { topic, email } = await subscribedTopic(250);
    const byDefault = (await api.read(email, topic, 'k')).json();
    expect(offsetsOf(byDefault.messages)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const capped = (await api.read(email, topic, 'k', '?max=7')).json();
    expect(offsetsOf(capped.messages)).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(capped).toMatchObject({ next_offset: 107, lag: 143 });
  });

  it('reads across segment boundaries', async () => {
    const { topic, email } = await subscribedTopic(2_500);
    await api.seek(email, topic, { offset: 990 });
    const read = (await api.read(email, topic, 'k', '?max=1100')).json();
    expect(offsetsOf(read.messages)).toEqual(Array.from({ length: 1100 }, (_, i) => 990 + i));
    expect(read.messages.map((m: { value: { n: number } }) => m.value.n)).toEqual(offsetsOf(read.messages));
  });

  it('answers 400 INVALID_REQUEST for a bad max or wait_ms, and unknown query fields', async () => {
    const { topic, email } = await subscribedTopic(1);
    for (const query of ['?max=0', '?max=-1', '?max=10001', '?max=abc', '?max=1.5', '?wait_ms=30001', '?wait_ms=-5', '?commit=maybe', '?colour=blue']) {
      expectError(await api.read(email, topic, 'k', query), 400, 'INVALID_REQUEST');
    }
    expect((await api.read(email, topic, 'k', '?max=10000')).statusCode).toBe(200);
  });

  it('answers 400 INVALID_EMAIL for a bad email', async () => {
    const { topic } = await subscribedTopic(0);
    expectError(await api.read('nobody', topic, 'k'), 400, 'INVALID_EMAIL');
  });

  it('answers 403 NOT_SUBSCRIBED and 404 TOPIC_NOT_FOUND', async () => {
    const { topic } = await subscribedTopic(1);
    const body = expectError(await api.read(uniqueEmail(), topic, 'k'), 403, 'NOT_SUBSCRIBED');
    expect(body.message).toContain(topic);
    expectError(await api.read(uniqueEmail(), uniqueName('missing'), 'k'), 404, 'TOPIC_NOT_FOUND');
  });

  it('with commit=false reads without advancing; POST /commit then moves the offset', async () => {
    const { topic, email } = await subscribedTopic(5);
    const peek = (await api.read(email, topic, 'k', '?commit=false&max=3')).json();
    expect(peek).toMatchObject({ committed: false, start_offset: 0, next_offset: 3 });
    expect(offsetsOf((await api.read(email, topic, 'k', '?commit=false&max=3')).json().messages)).toEqual([0, 1, 2]);

    const committed = await api.commit(email, topic, 0, { offset: 2 });
    expect(committed.statusCode).toBe(200);
    expect(committed.json()).toEqual({ email, topic, partition: 0, offset: 2 });
    expect(offsetsOf((await api.read(email, topic, 'k')).json().messages)).toEqual([2, 3, 4]);
  });

  it('with only_key=true returns only records with that key, and still advances past all records scanned', async () => {
    const { topic, email } = await subscribedTopic(0);
    await stack.write(topic, ['a', 'b', 'a', 'c', 'b'].map((key, i) => ({ key, value: i })));
    const read = (await api.read(email, topic, 'a', '?only_key=true')).json();
    expect(read.messages.map((m: { offset: number; key: string }) => [m.offset, m.key])).toEqual([[0, 'a'], [2, 'a']]);
    expect(read).toMatchObject({ start_offset: 0, next_offset: 5, lag: 0 });
    expect((await api.read(email, topic, 'b')).json().messages).toEqual([]);
  });

  it('accepts keys that need URL encoding', async () => {
    const topic = await stack.createTopic(4);
    const key = 'héllo wörld/?#&';
    await stack.write(topic.name, [{ key, value: 1 }]);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    const read = (await api.read(email, topic.name, key)).json();
    expect(read).toMatchObject({ key, partition: partitionFor(key, 4) });
    expect(read.messages).toMatchObject([{ key, value: 1 }]);
  });

  it("accepts emails and keys longer than 100 characters (find-my-way's default parameter limit)", async () => {
    const topic = await stack.createTopic(1);
    const key = 'k'.repeat(500);
    await stack.write(topic.name, [{ key, value: 'long' }]);
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.example.com`;
    expect((await api.subscribe(email, topic.name)).statusCode).toBe(201);
    expect((await api.read(email, topic.name, key)).json().messages).toMatchObject([{ key, value: 'long' }]);
  });
});

describe('POST /commit/:email/:topic/:partition', () => {
  it('answers 404 for an unknown topic or partition', async () => {
    const { topic, email } = await subscribedTopic(1, 2);
    expectError(await api.commit(email, uniqueName('missing'), 0, { offset: 0 }), 404, 'TOPIC_NOT_FOUND');
    const body = expectError(await api.commit(email, topic, 2, { offset: 0 }), 404, 'PARTITION_NOT_FOUND');
    expect(body.message).toContain('0 to 1');
  });

  it('answers 400 INVALID_OFFSET naming the valid range', async () => {
    const { topic, email } = await subscribedTopic(3);
    const body = expectError(await api.commit(email, topic, 0, { offset: 4 }), 400, 'INVALID_OFFSET');
    expect(body.message).toContain('0 (log start) to 3 (next offset)');
    expect((await api.commit(email, topic, 0, { offset: 3 })).statusCode).toBe(200);
  });

  it('answers 400 for a bad body, partition or email, 403 when not subscribed', async () => {
    const { topic, email } = await subscribedTopic(3);
    for (const payload of [{}, { offset: '1' }, { offset: -1 }, { offset: 1.5 }, { offset: 1, extra: true }, [1]]) {
      expectError(await api.commit(email, topic, 0, payload), 400, 'INVALID_REQUEST');
    }
    expectError(await api.commit(email, topic, 'first', { offset: 1 }), 400, 'INVALID_REQUEST');
    expectError(await api.commit('no@tld', topic, 0, { offset: 1 }), 400, 'INVALID_EMAIL');
    expectError(await api.commit(uniqueEmail(), topic, 0, { offset: 1 }), 403, 'NOT_SUBSCRIBED');
  });

  it('answers 400 INVALID_JSON, 413 BODY_TOO_LARGE and 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const { topic, email } = await subscribedTopic(3);
    const url = `/commit/${email}/${topic}/0`;
    const send = (payload: string, contentType: string) =>
      stack.gateway.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
    expectError(await send('{"offset": ', 'application/json'), 400, 'INVALID_JSON');
    expectError(await send(JSON.stringify({ offset: 1, pad: 'x'.repeat(10_000) }), 'application/json'), 413, 'BODY_TOO_LARGE');
    expectError(await send('offset=1', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('POST /seek/:email/:topic', () => {
  it('moves every partition to the earliest or latest offset, or to an offset', async () => {
    const topic = await stack.createTopic(2);
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    await stack.write(topic.name, keys.map((key) => ({ key, value: key })));
    const next = (await stack.partitionOffsets(topic.name)).map((p) => p.next_offset);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    const latest = await api.seek(email, topic.name, { to: 'latest' });
    expect(latest.statusCode).toBe(200);
    expect(latest.json()).toEqual({ email, topic: topic.name, partitions: next.map((offset, partition) => ({ partition, offset })) });
    for (const key of keys) expect((await api.read(email, topic.name, key)).json().messages).toEqual([]);

    const earliest = await api.seek(email, topic.name, { to: 'earliest' });
    expect(earliest.json().partitions).toEqual([{ partition: 0, offset: 0 }, { partition: 1, offset: 0 }]);
    const onePartition = keys.find((key) => partitionFor(key, 2) === 1)!;
    expect((await api.read(email, topic.name, onePartition)).json().messages).toHaveLength(next[1]!);

    const one = await api.seek(email, topic.name, { offset: 1, partition: 1 });
    expect(one.json().partitions).toEqual([{ partition: 1, offset: 1 }]);
    expect(offsetsOf((await api.read(email, topic.name, onePartition)).json().messages)[0]).toBe(1);
  });

  it('moves to the first record appended at or after a timestamp', async () => {
    const { topic, email } = await subscribedTopic(0);
    const early = await stack.write(topic, records('k', 1_500));
    // Append times come from Redis' clock: wait until it is at least 2 ms on, so that lateTime - 1 is still
    // after every early record (with a 1 ms gap it would be earlyTime itself, and the answer 0).
    const earlyTime = early[0]!.timestamp;
    await waitFor(async () => {
      const [seconds, micros] = await stack.redis.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) > earlyTime + 1;
    });
    const late = await stack.write(topic, records('k', 10, 1_500));
    const lateTime = late[0]!.timestamp;
    expect(lateTime).toBeGreaterThan(earlyTime + 1);

    const seekTo = async (timestamp: number) => (await api.seek(email, topic, { timestamp })).json().partitions[0].offset;
    expect(await seekTo(lateTime)).toBe(1_500);
    expect(await seekTo(lateTime - 1)).toBe(1_500);
    expect(await seekTo(earlyTime)).toBe(0);
    expect(await seekTo(0)).toBe(0);
    expect(await seekTo(lateTime + 1)).toBe(1_510);
    await seekTo(lateTime);
    expect(offsetsOf((await api.read(email, topic, 'k')).json().messages)).toEqual(Array.from({ length: 10 }, (_, i) => 1_500 + i));
  });

  it('answers 400 INVALID_OFFSET naming the valid range', async () => {
    const { topic, email } = await subscribedTopic(3);
    const body = expectError(await api.seek(email, topic, { offset: 9 }), 400, 'INVALID_OFFSET');
    expect(body.message).toContain('0 (log start) to 3 (next offset)');
  });

  it('answers 400 for a body that is not exactly one target', async () => {
    const { topic, email } = await subscribedTopic(3);
    for (const payload of [undefined, {}, { partition: 0 }, { to: 'middle' }, { offset: 1, to: 'latest' }, { offset: '1' }, { timestamp: -1 }, { when: 1 }]) {
      expectError(await api.seek(email, topic, payload), 400, 'INVALID_REQUEST');
    }
  });

  it('answers 403 when not subscribed and 404 for an unknown topic or partition', async () => {
    const { topic, email } = await subscribedTopic(3);
    expectError(await api.seek(uniqueEmail(), topic, { to: 'earliest' }), 403, 'NOT_SUBSCRIBED');
    expectError(await api.seek(email, uniqueName('missing'), { to: 'earliest' }), 404, 'TOPIC_NOT_FOUND');
    expectError(await api.seek(email, topic, { to: 'earliest', partition: 1 }), 404, 'PARTITION_NOT_FOUND');
  });
});

describe('GET /subscriptions/:email', () => {
  it('lists topics with per-partition committed offset, high watermark and lag', async () => {
    const first = await stack.createTopic(2);
    const second = await stack.createTopic(1);
    const keyOn0 = ['a', 'b', 'c', 'd', 'e', 'f'].find((key) => partitionFor(key, 2) === 0)!;
    await stack.write(first.name, records(keyOn0, 5));
    await stack.write(second.name, records('k', 3));
    const email = uniqueEmail();
    await api.subscribe(email, first.name);
    await api.subscribe(email, second.name);
    await api.read(email, first.name, keyOn0, '?max=2');

    const response = await api.subscriptions(email);
    expect(response.statusCode).toBe(200);
    const expected = [
      {
        topic: first.name,
        topic_id: first.id,
        lag: 3,
        partitions: [
          { partition: 0, committed_offset: 2, log_start_offset: 0, high_watermark: 5, lag: 3 },
          { partition: 1, committed_offset: 0, log_start_offset: 0, high_watermark: 0, lag: 0 },
        ],
      },
      {
        topic: second.name,
        topic_id: second.id,
        lag: 3,
        partitions: [{ partition: 0, committed_offset: 0, log_start_offset: 0, high_watermark: 3, lag: 3 }],
      },
    ].sort((a, b) => a.topic.localeCompare(b.topic));
    expect(response.json()).toEqual({ email, subscriptions: expected });
  });

  it('answers an empty list for a consumer with no subscriptions, 400 for a bad email', async () => {
    const email = uniqueEmail();
    expect((await api.subscriptions(email)).json()).toEqual({ email, subscriptions: [] });
    expectError(await api.subscriptions('bad{email}@example.com'), 400, 'INVALID_EMAIL');
  });
});

describe('health and unknown routes', () => {
  it('answers /healthz and /readyz like the broker', async () => {
    const health = await stack.gateway.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await stack.gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ready', redis_subscriber: 'ready', zookeeper: 'ready' } });
  });

  it('answers 404 ROUTE_NOT_FOUND for an unknown route', async () => {
    expectError(await stack.gateway.app.inject({ method: 'GET', url: '/consume/x' }), 404, 'ROUTE_NOT_FOUND');
  });
});
