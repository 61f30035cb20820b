// docs/invariants.md I3: a read costs O(records returned), independent of its offset and of the partition's length.
// Counted in Redis commands (MONITOR, on every master of a Redis Cluster), not measured in time: a read near
// the start and one near the end of a 30,000-record partition issue the same commands, and each LRANGE walks
// a list of at most S records and returns at most a small step of them (the read's memory stays bounded).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { monitorRedis, uniqueEmail, type MonitoredCommand, type RedisMonitor } from '@tributary/testkit';
import { client, offsetsOf, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;
let monitor: RedisMonitor | undefined;

beforeAll(async () => {
  stack = await Stack.start();
  api = client(stack.gateway);
});
afterAll(async () => {
  monitor?.close();
  await stack?.close();
});

it('costs the same near the start and the end of a long partition', async () => {
  const S = 1_000; // the topic's segment_records
  const topic = await stack.createTopic(1);
  expect((await stack.broker.app.inject({ method: 'GET', url: `/topics/${topic.name}` })).json().config.segment_records).toBe(S);
  await stack.write(topic.name, Array.from({ length: 30_000 }, (_, i) => ({ key: 'k', value: i })));
  const email = uniqueEmail();
  await api.subscribe(email, topic.name);
  // Loads the read's scripts into Redis' script cache, so both measured reads run them the same way (EVALSHA).
  await api.read(email, topic.name, 'k', '?max=1');

  monitor = await monitorRedis();

  const measuredRead = async (offset: number) => {
    expect((await api.seek(email, topic.name, { offset })).statusCode).toBe(200);
    const { result: response, commands: ran } = await monitor!.around(() => api.read(email, topic.name, 'k', '?max=100'));
    expect(offsetsOf(response.json().messages)).toEqual(Array.from({ length: 100 }, (_, i) => offset + i));
    // Other test files share this Redis: keep only commands about this topic or this consumer.
    const commands = ran.filter(({ args }) => args.some((arg) => arg.includes(topic.id) || arg.includes(email)));
    return commands;
  };

  const nearStart = await measuredRead(10);
  const nearEnd = await measuredRead(29_000);

  const shape = (commands: MonitoredCommand[]) => commands.map(({ args, source }) => `${source === 'lua' ? 'lua ' : ''}${args[0]!.toLowerCase()}`);
  expect(shape(nearStart)).toEqual(shape(nearEnd));
  // Four round trips: the partition state, the read position (a script reading the consumer's subscription
  // and offset), the records (a script taking LRANGE steps of 32), and the compare-and-set commit.
  const STEP = 32;
  expect(shape(nearStart)).toEqual([
    'hmget',
    'evalsha', 'lua hget', 'lua hget',
    'evalsha', ...Array(Math.ceil(100 / STEP)).fill('lua lrange'),
    'evalsha', 'lua hget', 'lua hget', 'lua hset',
  ]);

  for (const commands of [nearStart, nearEnd]) {
    const lranges = commands.filter(({ args }) => args[0]!.toLowerCase() === 'lrange');
    expect(lranges.reduce((sum, { args }) => sum + Number(args[3]) - Number(args[2]) + 1, 0)).toBe(100);
    for (const { args } of lranges) {
      const [, key, first, last] = args as [string, string, string, string];
      expect(await stack.redis.llen(key)).toBeLessThanOrEqual(S);
      expect(Number(first)).toBeLessThan(S);
      expect(Number(last) - Number(first) + 1).toBeLessThanOrEqual(STEP);
    }
  }
});
