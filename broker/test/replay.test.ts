// Replays (POST /replay, GET /replay/:id, GET /replays, DELETE /replay/:id): a time window of a topic, filtered
// by a condition on the values, copied into another topic by the controller, with progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import type { ReplayAnswer } from '@tributary/core';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker(testConfig());
  await waitFor(() => broker.controller.active, { what: 'the broker to be the controller' });
});
afterAll(async () => {
  await broker?.close();
});

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  broker.app.inject({ method, url, ...(payload ? { payload } : {}) });

async function createTopic(partitions: number): Promise<string> {
  const name = uniqueName('replay');
  expect((await inject('POST', `/create_topic/${name}/${partitions}`)).statusCode).toBe(201);
  return name;
}

interface Event {
  type: string;
  score: number;
  batch: string;
}

async function write(topic: string, batch: string, count: number): Promise<Event[]> {
  const values = Array.from({ length: count }, (_, i): Event => ({ type: i % 3 === 0 ? 'match.end' : 'kill', score: i, batch }));
  const response = await inject('POST', `/write/${topic}`, { records: values.map((value, i) => ({ key: `player-${i % 7}`, value, headers: { source: 'test' } })) });
  expect(response.statusCode, response.body).toBe(200);
  return values;
}

/** Every record of every partition of a topic, as the browse route answers them. */
async function everything(topic: string): Promise<Array<{ partition: number; key: string; value: Event; headers: Record<string, string> }>> {
  const described = (await inject('GET', `/topics/${topic}`)).json();
  const records = [];
  for (const { partition } of described.partitions) {
    const answer = (await inject('GET', `/topics/${topic}/partitions/${partition}/records?offset=0&max=1000`)).json();
    records.push(...answer.messages.map((m: object) => ({ partition, ...m })));
  }
  return records;
}

async function finished(id: string): Promise<ReplayAnswer> {
  return waitFor(async () => {
    const answer = (await inject('GET', `/replay/${id}`)).json() as ReplayAnswer;
    return answer.status === 'running' ? undefined : answer;
  }, { what: `replay ${id} to end`, timeoutMs: 20_000 });
}

/** A moment strictly between two writes' append times. */
async function boundary(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const at = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return at;
}

describe('a replay', () => {
  it('copies the records of a time window whose values match the filter, keeping keys and headers, and says how far it got', async () => {
    const [source, target] = [await createTopic(3), await createTopic(2)];
    const before = await write(source, 'before', 30);
    const from = await boundary();
    const after = await write(source, 'after', 30);

    const created = await inject('POST', '/replay', { topic: source, target: { topic: target }, from, filter: { type: 'match.end', score: { $gte: 10 } } });
    expect(created.statusCode, created.body).toBe(202);
    const replay = created.json() as ReplayAnswer;
    expect(replay).toMatchObject({ status: 'running', topic: source, target: { topic: target }, from, filter: { type: 'match.end' } });
    expect(replay.progress.records_total).toBe(after.length);

    const done = await finished(replay.replay_id);
    const expected = after.filter((e) => e.type === 'match.end' && e.score >= 10);
    expect(done).toMatchObject({ status: 'completed', error: null, progress: { records_total: 30, scanned: 30, matched: expected.length, written: expected.length, percent: 100 } });
    expect(done.finished_at).not.toBeNull();
    expect(done.partitions.every((p) => p.position === p.end)).toBe(true);

    const copied = await everything(target);
    expect(copied.map((r) => r.value).sort((a, b) => a.score - b.score)).toEqual(expected);
    expect(before.some((e) => copied.some((r) => r.value.batch === e.batch))).toBe(false);
    for (const record of copied) {
      expect(record.key).toBe(`player-${record.value.score % 7}`);
      expect(record.headers).toMatchObject({ source: 'test', 'replay-of': expect.stringMatching(new RegExp(`^${source}/[0-2]/\\d+$`)) });
    }
    expect((await inject('GET', '/replays')).json().replays.map((r: ReplayAnswer) => r.replay_id)).toContain(replay.replay_id);
  });

  it('stops at `to`, and with no filter copies every record of the window', async () => {
    const [source, target] = [await createTopic(2), await createTopic(1)];
    const early = await write(source, 'early', 12);
    const to = await boundary();
    await write(source, 'late', 12);
    const replay = (await inject('POST', '/replay', { topic: source, target: { topic: target }, to: new Date(to).toISOString() })).json() as ReplayAnswer;
    expect(replay.to).toBe(to);
    expect(await finished(replay.replay_id)).toMatchObject({ status: 'completed', progress: { scanned: 12, matched: 12, written: 12 } });
    expect((await everything(target)).map((r) => r.value).sort((a, b) => a.score - b.score)).toEqual(early);
  });

  it('cancelled before it runs, it writes nothing, and stays cancelled when the runner comes back', async () => {
    const [source, target] = [await createTopic(1), await createTopic(1)];
    await write(source, 'all', 20);
    await broker.replays.stop();
    try {
      const replay = (await inject('POST', '/replay', { topic: source, target: { topic: target } })).json() as ReplayAnswer;
      const cancelled = await inject('DELETE', `/replay/${replay.replay_id}`);
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', progress: { scanned: 0, written: 0 } });
    } finally {
      broker.replays.start();
    }
    // A replay made after it runs to the end, so the runner has had its chance at the cancelled one too.
    const [other, sink] = [await createTopic(1), await createTopic(1)];
    await write(other, 'x', 1);
    await finished((await inject('POST', '/replay', { topic: other, target: { topic: sink } })).json().replay_id);
    expect(await everything(target)).toEqual([]);
  });
});

describe('refused replays', () => {
  it('answers 4xx saying what is wrong, and makes nothing', async () => {
    const [source, target] = [await createTopic(1), await createTopic(1)];
    const missing = uniqueName('missing');
    const cases: Array<[object, number, string, RegExp]> = [
      [{ topic: missing, target: { topic: target } }, 404, 'TOPIC_NOT_FOUND', /does not exist/],
      [{ topic: source, target: { topic: missing } }, 404, 'TOPIC_NOT_FOUND', /create it first/],
      [{ topic: source, target: { topic: source } }, 400, 'INVALID_REQUEST', /name another topic/],
      [{ topic: source, target: { topic: target }, filter: { $where: 'sleep(1000)' } }, 400, 'INVALID_FILTER', /\$where is not supported/],
      [{ topic: source, target: { topic: target }, filter: { name: { $regex: '(a+)+$' } } }, 400, 'INVALID_FILTER', /\$regex is not supported/],
      [{ topic: source, target: { topic: target }, filter: { a: { $gt: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } } }, 400, 'INVALID_FILTER', /deeper/],
      [{ topic: source, target: { topic: target }, from: 'yesterday-ish' }, 400, 'INVALID_REQUEST', /not a time/],
      [{ topic: source, target: { topic: target }, from: 2_000, to: 1_000 }, 400, 'INVALID_REQUEST', /is after/],
      [{ topic: source, target: {} }, 400, 'INVALID_REQUEST', /topic/],
    ];
    const before = (await inject('GET', '/replays')).json().replays.length;
    for (const [body, status, code, message] of cases) {
      const response = await inject('POST', '/replay', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json(), JSON.stringify(body)).toMatchObject({ statusCode: status, code, message: expect.stringMatching(message) });
    }
    expect((await inject('GET', '/replays')).json().replays.length).toBe(before);
    expect((await inject('GET', '/replay/0123456789abcdef')).json()).toMatchObject({ statusCode: 404, code: 'REPLAY_NOT_FOUND' });
    expect((await inject('DELETE', '/replay/0123456789abcdef')).json()).toMatchObject({ statusCode: 404, code: 'REPLAY_NOT_FOUND' });
    expect((await inject('GET', '/replay/not-an-id')).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
  });
});
