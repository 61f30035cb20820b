// The broker registry: each broker holds an ephemeral node /brokers/ids/<instanceId> for as long as its
// ZooKeeper session lives, so the set of live brokers is always ZooKeeper's list of children.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNodeError, type Config, type ZooKeeper, type ZooKeeperPaths } from '@tributary/core';

export interface BrokerNode {
  host: string;
  port: number;
  startedAt: string;
  version: string;
}

// The version a broker reports in the registry is its package's.
export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export class BrokerRegistry {
  #node: BrokerNode | undefined;

  constructor(
    private readonly config: Config,
    private readonly zk: ZooKeeper,
    private readonly paths: ZooKeeperPaths,
  ) {}

  /**
   * Registers this broker. A node left by an earlier process with the same INSTANCE_ID disappears when its
   * session times out, so wait that long before giving up.
   */
  async register(host: string, port: number): Promise<void> {
    this.#node = { host, port, startedAt: new Date().toISOString(), version: VERSION };
    await this.#create(this.#node);
    this.zk.on('session', this.#reregister);
  }

  stop(): void {
    this.zk.off('session', this.#reregister);
  }

  async #create(node: BrokerNode): Promise<void> {
    const deadline = Date.now() + this.config.zookeeperSessionTimeoutMs + 2_000;
    for (;;) {
      try {
        await this.zk.create(this.paths.broker(this.config.instanceId), node, { ephemeral: true });
        return;
      } catch (err) {
        if (!isNodeError(err, 'NODE_EXISTS') || Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
  }

  /** A new session after expiry: the old ephemeral node is gone. */
  #reregister = () => {
    if (this.#node) void this.#create(this.#node).catch(() => {});
  };

  async list(): Promise<Array<BrokerNode & { id: string }>> {
    const ids = await this.zk.getChildren(this.paths.brokers);
    const nodes = await Promise.all(ids.map((id) => this.zk.getDataIfExists<BrokerNode>(this.paths.broker(id))));
    return ids.flatMap((id, i) => (nodes[i] ? [{ id, ...nodes[i].value }] : [])).sort((a, b) => a.id.localeCompare(b.id));
  }
}
