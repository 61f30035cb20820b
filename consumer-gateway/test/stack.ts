// A broker and a consumer gateway sharing one ZooKeeper root (so the gateway sees the broker's topics), on
// the test run's Redis and ZooKeeper, with helpers that speak HTTP to them through app.inject().
import { expect } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import type { Config, RecordInput, RedisClient, WriteResult } from '@tributary/core';
import { inspectRedis, testConfig, uniqueName, waitFor } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';

export interface TopicRef {
  name: string;
  id: string;
}

export type { WriteResult };

export class Stack {
  private constructor(
    readonly brokerConfig: Config,
    readonly gatewayConfig: Config,
    readonly broker: Broker,
    readonly gateway: Gateway,
    /** A plain connection for looking at Redis directly (a Cluster client in the cluster project). */
    readonly redis: RedisClient,
    private readonly extraGateways: Gateway[] = [],
  ) {}

  static async start(brokerOverrides: Partial<Config> = {}): Promise<Stack> {
    const brokerConfig = testConfig({ maxBatchRecords: 5_000, ...brokerOverrides });
    const broker = await createBroker(brokerConfig);
    const gatewayConfig = testConfig({ zookeeperRoot: brokerConfig.zookeeperRoot });
    const gateway = await createGateway(gatewayConfig);
    const redis = await inspectRedis();
    return new Stack(brokerConfig, gatewayConfig, broker, gateway, redis);
  }

  /** Another gateway on the same Redis and ZooKeeper root; closed with the stack. */
  async addGateway(overrides: Partial<Config> = {}): Promise<Gateway> {
    const gateway = await createGateway(testConfig({ zookeeperRoot: this.brokerConfig.zookeeperRoot, ...overrides }));
    this.extraGateways.push(gateway);
    return gateway;
  }

  async close(): Promise<void> {
    await Promise.all([...this.extraGateways, this.gateway].map((gateway) => gateway.close()));
    await this.broker.close();
    this.redis.disconnect();
  }

  /** Creates a topic through the broker and waits until the gateway knows it. */
  async createTopic(partitions = 1, config?: object, name = uniqueName('topic')): Promise<TopicRef> {
    const response = await this.broker.app.inject({
      method: 'POST',
      url: `/create_topic/${name}/${partitions}`,
      ...(config ? { payload: config } : {}),
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().id as string;
    await this.gatewayKnows(name, id);
    return { name, id };
  }

  async deleteTopic(name: string): Promise<void> {
    const response = await this.broker.app.inject({ method: 'DELETE', url: `/delete_topic/${name}` });
    expect(response.statusCode, response.body).toBe(200);
  }

  /** The gateway learns of topics from ZooKeeper watches: wait for it (and for any extra gateways). */
  async gatewayKnows(name: string, id: string | undefined): Promise<void> {
    for (const gateway of [this.gateway, ...this.extraGateways]) {
      await waitFor(() => gateway.topics.get(name)?.id === id, { what: `the gateway to see topic ${name} as ${id ?? 'deleted'}` });
    }
  }

  async write(topic: string, records: RecordInput[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    for (let i = 0; i < records.length; i += 5_000) {
      const response = await this.broker.app.inject({
        method: 'POST',
        url: `/write/${topic}`,
        payload: { records: records.slice(i, i + 5_000) },
      });
      expect(response.statusCode, response.body).toBe(200);
      results.push(...(response.json().results as WriteResult[]));
    }
    return results;
  }

  async partitionOffsets(topic: string): Promise<Array<{ partition: number; log_start_offset: number; next_offset: number }>> {
    const response = await this.broker.app.inject({ method: 'GET', url: `/topics/${topic}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().partitions;
  }
}

/** HTTP helpers against one gateway. */
export function client(gateway: Gateway) {
  const inject = gateway.app.inject.bind(gateway.app);
  return {
    subscribe: (email: string, topic: string, query = '') =>
      inject({ method: 'POST', url: `/subscribe/${email}/${topic}${query}` }),
    unsubscribe: (email: string, topic: string) => inject({ method: 'POST', url: `/unsubscribe/${email}/${topic}` }),
    read: (email: string, topic: string, key: string, query = '') =>
      inject({ method: 'GET', url: `/read/${email}/${topic}/${encodeURIComponent(key)}${query}` }),
    commit: (email: string, topic: string, partition: number | string, payload: unknown) =>
      inject({ method: 'POST', url: `/commit/${email}/${topic}/${partition}`, payload: payload as object }),
    seek: (email: string, topic: string, payload: unknown) =>
      inject({ method: 'POST', url: `/seek/${email}/${topic}`, payload: payload as object }),
    subscriptions: (email: string) => inject({ method: 'GET', url: `/subscriptions/${email}` }),
  };
}

export const offsetsOf = (messages: Array<{ offset: number }>) => messages.map((message) => message.offset);

/** Resolves once `count` reads wait on the gateway (long polls parked on a partition). */
export const waitingReads = (gateway: Gateway, count: number) =>
  waitFor(() => gateway.waiters.stats.waiters === count, { what: `${count} waiting reads` });
