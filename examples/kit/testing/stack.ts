// A broker and a consumer gateway on free ports, sharing one ZooKeeper root, on the test run's Redis and
// ZooKeeper (or the Redis a test gives): the examples talk to them over HTTP exactly as they would to
// `npm start`'s stack.
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { testConfig, waitFor } from '@tributary/testkit';

type Settings = NonNullable<Parameters<typeof testConfig>[0]>;

export interface StackOptions {
  /** For both, e.g. a redis-server of the test's own: `{ redisPort }`. */
  config?: Settings;
  /** For the broker alone, e.g. `{ maxBatchRecords }`. */
  broker?: Settings;
}

export interface RunningStack {
  brokerUrl: string;
  gatewayUrl: string;
  /** Resolves once the gateway's topic cache knows the topic (it learns of new topics from ZooKeeper). */
  gatewayKnows(topic: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const zookeeperRoot = testConfig().zookeeperRoot;
  const broker: Broker = await createBroker(testConfig({ ...options.config, ...options.broker, zookeeperRoot }));
  const gateway: Gateway = await createGateway(testConfig({ ...options.config, zookeeperRoot }));
  const brokerUrl = `http://127.0.0.1:${(await broker.listen()).port}`;
  const gatewayUrl = `http://127.0.0.1:${(await gateway.listen()).port}`;
  return {
    brokerUrl,
    gatewayUrl,
    async gatewayKnows(topic) {
      await waitFor(() => gateway.topics.get(topic) !== undefined, { what: `the gateway to see topic ${topic}` });
    },
    async close() {
      await gateway.close();
      await broker.close();
    },
  };
}
