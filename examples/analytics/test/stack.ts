// A broker and a consumer gateway on free ports, sharing one ZooKeeper root, on the test run's Redis and
// ZooKeeper: the example talks to them over HTTP exactly as it would to `npm start`'s stack.
import { createBroker, type Broker } from '@tributary/broker';
import { createGateway, type Gateway } from '@tributary/consumer-gateway';
import { testConfig, waitFor } from '@tributary/testkit';

export interface RunningStack {
  brokerUrl: string;
  gatewayUrl: string;
  /** Resolves once the gateway's topic cache knows the topic (it learns of new topics from ZooKeeper). */
  gatewayKnows(topic: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<RunningStack> {
  const zookeeperRoot = testConfig().zookeeperRoot;
  const broker: Broker = await createBroker(testConfig({ zookeeperRoot }));
  const gateway: Gateway = await createGateway(testConfig({ zookeeperRoot }));
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
