// MAX_BODY_BYTES_IN_FLIGHT: large bodies being received at once have a ceiling; a request past it waits,
// unread, until one ends (answered or its connection closed), then goes through like any other.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

const BODY = 400_000;
let broker: Broker;
let port: number;
const topic = uniqueName('budget');

beforeAll(async () => {
  // Room for two bodies of BODY bytes, not three.
  broker = await createBroker(testConfig({ maxBodyBytes: 500_000, maxBodyBytesInFlight: 2 * BODY + 1_000 }));
  port = (await broker.listen()).port;
  expect((await broker.app.inject({ method: 'POST', url: `/create_topic/${topic}/1`, payload: { max_record_bytes: 450_000 } })).statusCode).toBe(201);
});
afterAll(async () => {
  await broker?.close();
});

/** A /write of one record, exactly BODY bytes as JSON. */
function body(n: number): string {
  const shell = JSON.stringify({ key: `k${n}`, value: '' });
  return JSON.stringify({ key: `k${n}`, value: 'x'.repeat(BODY - shell.length) });
}

interface Upload {
  socket: Socket;
  answer: Promise<string>;
  rest: string;
}

/** Sends the request line, the headers and half the body; the rest waits for finish(). */
function startUpload(n: number): Upload {
  const payload = body(n);
  const socket = connect(port, '127.0.0.1');
  let received = '';
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
  });
  socket.write(`POST /write/${topic} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`);
  socket.write(payload.slice(0, BODY / 2));
  return { socket, answer, rest: payload.slice(BODY / 2) };
}

async function gauges(): Promise<{ inFlight: number; waiting: number }> {
  const text = (await broker.app.inject({ method: 'GET', url: '/metrics' })).body;
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(text)?.[1]);
  return { inFlight: value('tributary_body_bytes_in_flight'), waiting: value('tributary_bodies_waiting') };
}

it('lets two large bodies in, keeps the third waiting unread until one ends, then stores it', async () => {
  const [first, second, third] = [1, 2, 3].map(startUpload) as [Upload, Upload, Upload];
  await waitFor(async () => {
    const { inFlight, waiting } = await gauges();
    return inFlight === 2 * BODY && waiting === 1;
  }, { what: 'two bodies in flight and one waiting' });

  // The first finishes and is answered: the waiting one is let in.
  first.socket.write(first.rest);
  expect(await first.answer).toMatch(/^HTTP\/1\.1 200/);
  await waitFor(async () => (await gauges()).waiting === 0, { what: 'the third to be let in' });

  // The second's client goes away: its bytes come back too.
  second.socket.destroy();
  third.socket.write(third.rest);
  expect(await third.answer).toMatch(/^HTTP\/1\.1 200/);
  await waitFor(async () => (await gauges()).inFlight === 0, { what: 'every body to be done' });

  const stored = (await broker.app.inject({ method: 'GET', url: `/topics/${topic}/partitions/0/records?offset=0&max=10` })).json();
  expect(stored.messages.map((m: { key: string }) => m.key).sort()).toEqual(['k1', 'k3']);
});
