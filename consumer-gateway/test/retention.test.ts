// Retention moves a partition's log start past a consumer's offset: the next read starts at the log start and
// says so (offset_reset), rather than failing or returning a gap silently.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueEmail, waitFor } from '@tributary/testkit';
import { client, offsetsOf, Stack } from './stack.js';

let stack: Stack;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  // The broker is the controller of its own ZooKeeper root, so it runs retention, every 100 ms here.
  stack = await Stack.start({ retentionCheckMs: 100 });
  api = client(stack.gateway);
});
afterAll(async () => {
  await stack?.close();
});

it('moves an offset that fell below the log start up to it, and reports the reset', async () => {
  const topic = await stack.createTopic(1, { retention_ms: 1 });
  // Subscribed before any record: the stored offset is 0.
  const behind = uniqueEmail();
  expect((await api.subscribe(behind, topic.name, '?from=latest')).statusCode).toBe(201);
  // Never read: no stored offset, which means "the log start" wherever that is.
  const fresh = uniqueEmail();
  expect((await api.subscribe(fresh, topic.name)).statusCode).toBe(201);

  // 1,500 records: segment 0 (offsets 0-999) is full and may go; the active segment always stays.
  await stack.write(topic.name, Array.from({ length: 1_500 }, (_, i) => ({ key: 'k', value: i })));
  await waitFor(async () => (await stack.partitionOffsets(topic.name))[0]!.log_start_offset === 1_000, {
    what: 'retention to drop the first segment',
  });

  const listed = (await api.subscriptions(behind)).json().subscriptions[0].partitions[0];
  expect(listed).toMatchObject({ committed_offset: 1_000, log_start_offset: 1_000, high_watermark: 1_500, lag: 500 });

  const reset = await api.read(behind, topic.name, 'k');
  expect(reset.statusCode).toBe(200);
  const body = reset.json();
  expect(body).toMatchObject({ offset_reset: { from: 0, to: 1_000 }, start_offset: 1_000, next_offset: 1_100, log_start_offset: 1_000 });
  expect(offsetsOf(body.messages)).toEqual(Array.from({ length: 100 }, (_, i) => 1_000 + i));
  expect(body.messages[0].value).toBe(1_000);

  const after = (await api.read(behind, topic.name, 'k')).json();
  expect(after.offset_reset).toBeUndefined();
  expect(after.start_offset).toBe(1_100);

  const fromStart = (await api.read(fresh, topic.name, 'k')).json();
  expect(fromStart.offset_reset).toBeUndefined();
  expect(fromStart.start_offset).toBe(1_000);

  // The dropped range is no longer a valid seek target.
  const seek = await api.seek(behind, topic.name, { offset: 999 });
  expect(seek.statusCode).toBe(400);
  expect(seek.json()).toMatchObject({ code: 'INVALID_OFFSET', message: expect.stringContaining('1000 (log start) to 1500 (next offset)') });
});
