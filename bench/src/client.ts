// The few broker and gateway calls the scenarios make outside the load generator: setting up topics and
// consumers, filling partitions, and reading back offsets. Plain fetch, errors thrown with the body.
import { setTimeout as sleep } from 'node:timers/promises';

async function call(method: string, url: string, body?: string): Promise<unknown> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpError(method, url, response.status, text);
  return text === '' ? undefined : JSON.parse(text);
}

export class HttpError extends Error {
  constructor(
    method: string,
    url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} answered ${status}: ${body.slice(0, 300)}`);
  }
}

/** Creates a topic that keeps its records forever (benchmarks must not race retention). */
export async function createTopic(brokerUrl: string, topic: string, partitions: number): Promise<void> {
  await call('POST', `${brokerUrl}/create_topic/${topic}/${partitions}`, JSON.stringify({ retention_ms: -1 }));
}

export async function deleteTopic(brokerUrl: string, topic: string): Promise<void> {
  await call('DELETE', `${brokerUrl}/delete_topic/${topic}`);
}

export async function write(brokerUrl: string, topic: string, body: string): Promise<void> {
  await call('POST', `${brokerUrl}/write/${topic}`, body);
}

export async function nextOffsets(brokerUrl: string, topic: string): Promise<number[]> {
  const description = (await call('GET', `${brokerUrl}/topics/${topic}`)) as { partitions: Array<{ next_offset: number }> };
  return description.partitions.map((p) => p.next_offset);
}

/**
 * Subscribes `email` to `topic`. The gateway learns of a new topic from a ZooKeeper watch, a moment after
 * the broker created it: until then it answers 404, so this polls (bounded) until the gateway knows it.
 */
export async function subscribe(gatewayUrl: string, email: string, topic: string, from: 'earliest' | 'latest'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await call('POST', `${gatewayUrl}/subscribe/${email}/${topic}?from=${from}`);
      return;
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404) || Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

export async function seek(gatewayUrl: string, email: string, topic: string, partition: number, offset: number): Promise<void> {
  await call('POST', `${gatewayUrl}/seek/${email}/${topic}`, JSON.stringify({ partition, offset }));
}

/** The consumer's committed offset in one partition of a topic. */
export async function committedOffset(gatewayUrl: string, email: string, topic: string, partition: number): Promise<number> {
  const answer = (await call('GET', `${gatewayUrl}/subscriptions/${email}`)) as {
    subscriptions: Array<{ topic: string; partitions: Array<{ partition: number; committed_offset: number }> }>;
  };
  const offset = answer.subscriptions.find((s) => s.topic === topic)?.partitions.find((p) => p.partition === partition)?.committed_offset;
  if (offset === undefined) throw new Error(`${email} has no committed offset in ${topic}/${partition}`);
  return offset;
}

/** Waits for a service's /readyz, or throws after `timeoutMs`. */
export async function waitReady(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the process behind ${url} exited while starting`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url}/readyz did not answer 200 within ${timeoutMs} ms`);
}
