// Long polls (wait_ms): woken by a write, cleaned up when the client leaves or the gateway closes (many waiters
// on one subscriber connection: many-waiters.test.ts). No timing assertions: each test starts the read, writes, and awaits.
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail, waitFor } from '@tributary/testkit';
import type { Gateway } from '../src/index.js';
import { client, offsetsOf, Stack, waitingReads as waiting } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});



describe('wait_ms', () => {
  it('answers as soon as a record arrives', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    const read = api.read(email, topic.name, 'k', '?wait_ms=25000');
    await waiting(stack.gateway, 1);
    await stack.write(topic.name, [{ key: 'k', value: 'hello' }]);
    const response = await read;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ start_offset: 0, next_offset: 1, messages: [{ offset: 0, key: 'k', value: 'hello' }] });
    expect(stack.gateway.waiters.stats).toEqual({ channels: 0, waiters: 0 });
  });

  it('answers at once when there are records already', async () => {
    const topic = await stack.createTopic(1);
    await stack.write(topic.name, [{ key: 'k', value: 1 }]);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    const response = await api.read(email, topic.name, 'k', '?wait_ms=30000');
    expect(offsetsOf(response.json().messages)).toEqual([0]);
  });

  it('answers 200 with no messages when nothing arrives before the deadline', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    const response = await api.read(email, topic.name, 'k', '?wait_ms=50');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ start_offset: 0, next_offset: 0, messages: [] });
    expect(stack.gateway.waiters.stats).toEqual({ channels: 0, waiters: 0 });
  });

  it('keeps waiting when another reader of the same consumer took the record, and takes the next one', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);

    const reads = [api.read(email, topic.name, 'k', '?wait_ms=25000&max=1'), api.read(email, topic.name, 'k', '?wait_ms=25000&max=1')];
    await waiting(stack.gateway, 2);
    await stack.write(topic.name, [{ key: 'k', value: 'first' }]);
    // One of the two got it; the other is waiting again, until the next record.
    await waiting(stack.gateway, 1);
    await stack.write(topic.name, [{ key: 'k', value: 'second' }]);
    const returned = (await Promise.all(reads)).map((response) => response.json().messages.map((m: { value: string }) => m.value));
    expect(returned.flat().sort()).toEqual(['first', 'second']);
  });

  it('with only_key, waits past records of other keys in the partition', async () => {
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await api.subscribe(email, topic.name);
    const read = api.read(email, topic.name, 'mine', '?wait_ms=25000&only_key=true');
    await waiting(stack.gateway, 1);
    await stack.write(topic.name, [{ key: 'theirs', value: 1 }]);
    await waitFor(async () => (await api.subscriptions(email)).json().subscriptions[0].partitions[0].committed_offset === 1);
    expect(stack.gateway.waiters.stats.waiters).toBe(1);
    await stack.write(topic.name, [{ key: 'mine', value: 2 }]);
    const response = (await read).json();
    expect(response.messages).toMatchObject([{ offset: 1, key: 'mine', value: 2 }]);
    expect(response).toMatchObject({ start_offset: 0, next_offset: 2 });
  });

  it('answers 403 and 404 before waiting', async () => {
    const topic = await stack.createTopic(1);
    expect((await api.read(uniqueEmail(), topic.name, 'k', '?wait_ms=25000')).statusCode).toBe(403);
    expect((await api.read(uniqueEmail(), 'no-such-topic', 'k', '?wait_ms=25000')).statusCode).toBe(404);
  });
});

describe('cleanup', () => {
  it('stops waiting when the client disconnects', async () => {
    const gateway = await stack.addGateway();
    const { port } = await gateway.listen();
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await client(gateway).subscribe(email, topic.name);

    // A plain node:http client: its destroy() closes the socket and opens nothing else.
    const request = get(`http://127.0.0.1:${port}/read/${email}/${topic.name}/k?wait_ms=30000`);
    const failed = new Promise((resolve) => request.on('error', resolve));
    await waiting(gateway, 1);
    request.destroy();
    await failed;
    await waiting(gateway, 0);
    expect(gateway.waiters.stats.channels).toBe(0);

    // The consumer's offset did not move: the next read gets the record.
    await stack.write(topic.name, [{ key: 'k', value: 'kept' }]);
    expect((await client(gateway).read(email, topic.name, 'k')).json().messages).toMatchObject([{ offset: 0, value: 'kept' }]);
  });

  it('answers waiting reads with what they have when the gateway closes', async () => {
    const gateway = await stack.addGateway();
    const topic = await stack.createTopic(1);
    const email = uniqueEmail();
    await client(gateway).subscribe(email, topic.name);

    const read = client(gateway).read(email, topic.name, 'k', '?wait_ms=30000');
    await waiting(gateway, 1);
    await gateway.close();
    const response = await read;
    expect(response.statusCode).toBe(200);
    expect(response.json().messages).toEqual([]);
  });
});
