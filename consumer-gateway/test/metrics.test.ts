// GET /metrics on the broker and the gateway: counters move by what was written, read and refused; per-topic
// series stop at METRICS_MAX_TOPICS; each service counts only its own work (registries are per instance).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@tributary/broker';
import { encodeRecord, type RecordInput } from '@tributary/core';
import { testConfig, uniqueEmail, uniqueName, waitFor } from '@tributary/testkit';
import type { FastifyInstance } from 'fastify';
import { Member } from './group-client.js';
import { client, Stack } from './stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start();
});
afterAll(async () => {
  await stack?.close();
});

async function scrape(app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

/** The value of one sample (0 when absent): `labels` must all match; the sample may have more. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`));
    if (matches) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total ?? 0;
}

const storedBytes = (records: RecordInput[]) => records.reduce((sum, record) => sum + Buffer.byteLength(encodeRecord(record)), 0);

describe('GET /metrics', () => {
  it('counts the records and bytes written per topic on the broker, and read on the gateway', async () => {
    const topic = await stack.createTopic(2);
    const records: RecordInput[] = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: { n: i, text: 'héllo' } }));
    const before = await scrape(stack.broker.app);
    await stack.write(topic.name, records);
    const after = await scrape(stack.broker.app);
    expect(sample(after, 'tributary_records_written_total', { topic: topic.name }) - sample(before, 'tributary_records_written_total', { topic: topic.name })).toBe(5);
    expect(sample(after, 'tributary_written_bytes_total', { topic: topic.name })).toBe(storedBytes(records));
    const route = { route: '/write/:topic', status: '200', method: 'POST' };
    expect(sample(after, 'tributary_http_requests_total', route) - sample(before, 'tributary_http_requests_total', route)).toBe(1);
    expect(sample(after, 'tributary_http_request_duration_seconds_count', route) - sample(before, 'tributary_http_request_duration_seconds_count', route)).toBe(1);

    const email = uniqueEmail();
    const api = client(stack.gateway);
    expect((await api.subscribe(email, topic.name, '?from=earliest')).statusCode).toBe(201);
    let read = 0;
    let bytes = 0;
    for (const partition of [0, 1]) {
      const response = await stack.gateway.app.inject({ method: 'GET', url: `/read/${email}/${topic.name}?partition=${partition}` });
      expect(response.statusCode, response.body).toBe(200);
      const messages = response.json().messages as unknown[];
      read += messages.length;
      bytes += messages.reduce<number>((sum, message) => sum + Buffer.byteLength(JSON.stringify(message)), 0);
    }
    expect(read).toBe(5);
    const gateway = await scrape(stack.gateway.app);
    expect(sample(gateway, 'tributary_records_read_total', { topic: topic.name })).toBe(5);
    expect(sample(gateway, 'tributary_read_bytes_total', { topic: topic.name })).toBe(bytes);
    // The broker's registry counted none of the gateway's work, and the other way round.
    expect(sample(await scrape(stack.broker.app), 'tributary_records_read_total', { topic: topic.name })).toBe(0);
    expect(sample(gateway, 'tributary_records_written_total', { topic: topic.name })).toBe(0);
  });

  it('counts requests by route pattern and status, and errors by code', async () => {
    const before = await scrape(stack.broker.app);
    for (let i = 0; i < 3; i++) {
      const response = await stack.broker.app.inject({ method: 'GET', url: `/topics/${uniqueName('missing')}` });
      expect(response.statusCode).toBe(404);
    }
    const after = await scrape(stack.broker.app);
    const route = { route: '/topics/:topic', status: '404' };
    expect(sample(after, 'tributary_http_requests_total', route) - sample(before, 'tributary_http_requests_total', route)).toBe(3);
    expect(sample(after, 'tributary_errors_total', { code: 'TOPIC_NOT_FOUND' }) - sample(before, 'tributary_errors_total', { code: 'TOPIC_NOT_FOUND' })).toBe(3);
    // Route patterns, never URLs: no series names a topic that was asked for.
    expect(after).not.toMatch(/route="\/topics\/missing/);
  });

  it('times Redis and ZooKeeper calls, and shows the controller and process metrics', async () => {
    const text = await scrape(stack.broker.app);
    expect(sample(text, 'tributary_redis_command_duration_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'tributary_redis_command_duration_seconds_count', { command: 'evalsha' })).toBeGreaterThan(0);
    expect(sample(text, 'tributary_zookeeper_request_duration_seconds_count', { operation: 'getChildren' })).toBeGreaterThan(0);
    expect(text).toContain('tributary_process_resident_memory_bytes');
    await waitFor(async () => sample(await scrape(stack.broker.app), 'tributary_controller_active') === 1, { what: 'the broker to be the controller' });
    expect(sample(await scrape(stack.broker.app), 'tributary_controller_epoch')).toBeGreaterThan(0);
  });

  it('shows long-poll waiters and the lag of each consumer group per topic', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: i })));
    const group = uniqueName('g');
    const member = await Member.join(stack.gateway, group, { topics: [topic.name] });
    await member.commitPast((await member.fetch('?max=3')).messages);
    expect(sample(await scrape(stack.gateway.app), 'tributary_group_lag_records', { group, topic: topic.name })).toBe(7);
    await member.leave();

    const email = uniqueEmail();
    const idle = await stack.createTopic(1);
    expect((await client(stack.gateway).subscribe(email, idle.name)).statusCode).toBe(201);
    const waiting = stack.gateway.app.inject({ method: 'GET', url: `/read/${email}/${idle.name}?partition=0&wait_ms=5000` });
    await waitFor(async () => sample(await scrape(stack.gateway.app), 'tributary_long_poll_waiters') >= 1, { what: 'a waiter in /metrics' });
    await stack.write(idle.name, [{ key: 'k', value: 1 }]);
    expect((await waiting).json().messages).toHaveLength(1);
  });

  it('keeps per-topic series to METRICS_MAX_TOPICS and sums the rest under topic="_other"', async () => {
    const broker = await createBroker(testConfig({ zookeeperRoot: stack.brokerConfig.zookeeperRoot, metricsMaxTopics: 2 }));
    try {
      const topics = await Promise.all([1, 2, 3, 4].map(() => stack.createTopic(1)));
      for (const [i, topic] of topics.entries()) {
        await waitFor(() => broker.topics.get(topic.name) !== undefined, { what: `the second broker to see ${topic.name}` });
        const response = await broker.app.inject({ method: 'POST', url: `/write/${topic.name}`, payload: { records: Array.from({ length: i + 1 }, (_, j) => ({ key: `k${j}`, value: j })) } });
        expect(response.statusCode, response.body).toBe(200);
      }
      const text = await scrape(broker.app);
      const series = text.split('\n').filter((line) => line.startsWith('tributary_records_written_total{'));
      expect(series).toHaveLength(3);
      expect(sample(text, 'tributary_records_written_total', { topic: topics[0]!.name })).toBe(1);
      expect(sample(text, 'tributary_records_written_total', { topic: topics[1]!.name })).toBe(2);
      expect(sample(text, 'tributary_records_written_total', { topic: '_other' })).toBe(3 + 4);
    } finally {
      await broker.close();
    }
  });
});
