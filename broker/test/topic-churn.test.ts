// Creates, deletes and writes racing on one topic name through two brokers, in rounds: the calls of a round
// run at once, the rounds one after another. fast-check drives the interleaving: every answer the two
// brokers get from ZooKeeper or Redis on the admin and write paths reaches them when its scheduler says, so
// a delete can hold a node it read while another delete and a re-create of the name complete. Whatever the
// interleaving: no 5xx; every answer is one its operation may give; a lone create or delete agrees with
// ZooKeeper; and afterwards ZooKeeper and Redis agree. The topic either exists with every partition live in
// Redis or does not exist, and every partition state of an id this test created is the live topic's or a
// tombstone whose id is under /deleted-topics. A third broker, the controller, reclaims deleted topics
// meanwhile.
//
// It was written for a delete racing a re-create of the same name, which answered 500 (NODE_EXISTS on
// /deleted-topics).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrokerApp, createBroker, type Broker } from '@tributary/broker';
import {
  connectServices,
  createLogger,
  partitionKeys,
  ZooKeeper,
  zooKeeperPaths,
  type Connections,
  type RedisClient,
  type TopicCache,
  type TopicNode,
} from '@tributary/core';
import { inspectRedis, testConfig, uniqueName, waitFor } from '@tributary/testkit';
import { Controller } from '../src/controller.js';
import { BrokerRegistry } from '../src/registry.js';

const config = testConfig();
const paths = zooKeeperPaths(config.zookeeperRoot);
/** The scheduler of the property run under way. */
let scheduler: fc.Scheduler | undefined;
let controller: Broker;
let connections: Connections[];
let brokers: Array<{ app: FastifyInstance; topics: TopicCache }>;
let observer: ZooKeeper;
let redis: RedisClient;

/** `target`, whose calls answer when the current scheduler releases them. */
function scheduled<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(object, args);
        if (!scheduler || !(result instanceof Promise)) return result;
        // A refusal may come back before the scheduler hands it on: it is not an unhandled rejection.
        result.catch(() => {});
        return scheduler.schedule(result, `${name}.${String(property)}`);
      };
    },
  });
}

beforeAll(async () => {
  controller = await createBroker({ ...config, instanceId: uniqueName('churn-controller') });
  connections = await Promise.all(['a', 'b'].map((which) => connectServices({ ...config, instanceId: uniqueName(`churn-${which}`) }, 'broker')));
  // Built as createBroker builds a broker, but its topic admin and writer see ZooKeeper and Redis through
  // the scheduler. Its topic cache is the real one; it does not stand for controller.
  brokers = connections.map(({ logger, redis, storage, zk, topics }, i) => {
    const which = i === 0 ? 'a' : 'b';
    const deps = { config, zk, paths, topics, log: logger };
    const app = buildBrokerApp({
      ...deps,
      redis,
      storage: { ...storage, logs: scheduled(storage.logs, `${which}.redis`) },
      zk: scheduled(zk, `${which}.zookeeper`),
      registry: new BrokerRegistry({ ...deps, redis }),
      controller: new Controller({ ...deps, logs: storage.logs, consumers: storage.consumers, groups: storage.groups }),
      logger,
    });
    return { app, topics };
  });
  observer = await ZooKeeper.connect(config, createLogger(config, 'observer'));
  redis = await inspectRedis();
});
afterAll(async () => {
  await Promise.all(brokers?.map(({ app }) => app.close()) ?? []);
  for (const connection of connections ?? []) connection.close();
  await controller?.close();
  observer?.close();
  redis?.disconnect();
});

type Kind = 'create' | 'delete' | 'write';
interface Call {
  kind: Kind;
  via: number;
  partitions: number;
}

/** The answers each operation may give: success, or a refusal that tells the truth. */
const allowed: Record<Kind, number[]> = { create: [201, 409], delete: [200, 404], write: [200, 404] };

const call: fc.Arbitrary<Call> = fc.record({
  kind: fc.constantFrom<Kind>('create', 'delete', 'write'),
  via: fc.integer({ min: 0, max: 1 }),
  partitions: fc.integer({ min: 1, max: 3 }),
});

async function send(name: string, { kind, via, partitions }: Call) {
  const { app } = brokers[via]!;
  const response =
    kind === 'create'
      ? await app.inject({ method: 'POST', url: `/create_topic/${name}/${partitions}` })
      : kind === 'delete'
        ? await app.inject({ method: 'DELETE', url: `/delete_topic/${name}` })
        : await app.inject({ method: 'POST', url: `/write/${name}`, payload: { records: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }] } });
  return { statusCode: response.statusCode, body: response.json() };
}

const topicNode = async (name: string) => (await observer.getDataIfExists<TopicNode>(paths.topic(name)))?.value;

describe('topic churn', () => {
  it('creates, deletes and writes racing on one name never answer 5xx, and leave ZooKeeper and Redis agreeing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(call, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.scheduler(), async (rounds, s) => {
        scheduler = s;
        const name = uniqueName('churn');
        const created = new Map<string, number>(); // topic id -> partitions, from 201 answers
        for (const round of rounds) {
          const existed = (await topicNode(name)) !== undefined;
          const results = await s.waitFor(Promise.all(round.map((c) => send(name, c))));
          await s.waitIdle();
          round.forEach((c, i) => {
            const { statusCode, body } = results[i]!;
            expect(allowed[c.kind], `${c.kind} via ${c.via} answered ${statusCode}: ${JSON.stringify(body)}`).toContain(statusCode);
            if (c.kind === 'create' && statusCode === 201) created.set(body.id, c.partitions);
          });
          // Alone in its round, a create or delete answers by what ZooKeeper holds, whichever broker it asks.
          const [only] = round;
          if (round.length === 1 && only!.kind !== 'write') {
            const expected = only!.kind === 'create' ? (existed ? 409 : 201) : existed ? 200 : 404;
            expect(results[0]!.statusCode, `${only!.kind} via ${only!.via} when the topic ${existed ? 'existed' : 'did not exist'}`).toBe(expected);
          }
        }

        const live = await topicNode(name);
        if (live) {
          expect(created.get(live.id)).toBe(live.partitions);
          for (let partition = 0; partition < live.partitions; partition++) {
            const state = await redis.hgetall(partitionKeys({ topicId: live.id, partition }).state);
            expect(state, `partition ${partition} of the live topic`).toMatchObject({ next: expect.any(String) });
            expect(state.deleted, `partition ${partition} of the live topic`).toBeUndefined();
          }
        }
        for (const [id, partitions] of created) {
          if (id === live?.id) continue;
          expect(await observer.exists(paths.deletedTopic(id)), `deleted topic ${id} under /deleted-topics`).toBe(true);
          for (let partition = 0; partition < partitions; partition++) {
            const state = await redis.hgetall(partitionKeys({ topicId: id, partition }).state);
            if (Object.keys(state).length > 0) expect(state.deleted, `partition ${partition} of deleted topic ${id}`).toBe('1');
          }
        }
        // Both brokers' caches come to agree with ZooKeeper.
        for (const broker of brokers) {
          await waitFor(() => broker.topics.get(name)?.id === live?.id, { what: `the cache to hold ${live?.id ?? 'no topic'}` });
        }
      }),
      { numRuns: 100 },
    );
  });
});
