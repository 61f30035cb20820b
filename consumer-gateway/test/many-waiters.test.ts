// Many long polls share one subscriber connection and one subscription. Runs in the 'single' project only
// (vitest.config.ts): it counts the gateway's connections in one server's CLIENT LIST, and on a Redis Cluster
// the gateway holds a connection to every master.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail, waitFor } from '@tributary/testkit';
import { client, Stack, waitingReads as waiting } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});


/** The stack gateway's connections to Redis, from CLIENT LIST, by the names gateway.ts gives them. */
async function gatewayConnections() {
  const instance = stack.gatewayConfig.instanceId;
  const list = (await stack.redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2) as [string, string])))
    .filter((connection) => connection['name']?.startsWith('tributary-gateway-') && connection['name'].endsWith(instance));
}

describe('many waiters', () => {
  it('wakes 10,000 waiting reads with one write, over one subscriber connection and one subscription', async () => {
    const topic = await stack.createTopic(1);
    const emails = Array.from({ length: 10_000 }, () => uniqueEmail());
    const subscribed = await Promise.all(emails.map((email) => api.subscribe(email, topic.name)));
    expect(subscribed.every((response) => response.statusCode === 201)).toBe(true);

    const reads = emails.map((email) => api.read(email, topic.name, 'k', '?wait_ms=30000'));
    await waiting(stack.gateway, 10_000);
    expect(stack.gateway.waiters.stats.channels).toBe(1);
    const connections = await gatewayConnections();
    const subscribers = connections.filter((connection) => connection['name']!.startsWith('tributary-gateway-appended-'));
    expect(connections).toHaveLength(2); // one for commands, one subscriber
    expect(subscribers).toHaveLength(1);
    expect(subscribers[0]!['ssub']).toBe('1'); // one shard-channel subscription (SSUBSCRIBE)

    await stack.write(topic.name, [{ key: 'k', value: 'for everyone' }]);
    const responses = await Promise.all(reads);
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.json().messages).toMatchObject([{ offset: 0, value: 'for everyone' }]);
    }
    expect(stack.gateway.waiters.stats).toEqual({ channels: 0, waiters: 0 });
    await waitFor(async () => (await gatewayConnections()).find((c) => c['name']!.includes('appended'))?.['ssub'] === '0');
  });
});

