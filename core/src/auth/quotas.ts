// Per-principal quotas: QUOTA_REQUESTS_PER_SEC and QUOTA_PRODUCE_BYTES_PER_SEC apply to every principal
// unless /quotas/<principal> in ZooKeeper sets its own (0: none). Every instance keeps them in memory,
// refreshed by watches, like keys and ACLs; the counters themselves are in Redis (QuotaStore).
import type { Config } from '../config.js';
import type { ZooKeeperPaths } from '../keys.js';
import type { Logger } from '../logger.js';
import { ChildrenCache } from '../node-cache.js';
import { isNodeError, type ZooKeeper } from '../zookeeper.js';

/** As stored at /quotas/<principal>: what is not set falls back to the default. */
export interface QuotaOverride {
  readonly requestsPerSec?: number;
  readonly produceBytesPerSec?: number;
}

export interface Quotas {
  /** Requests per second; 0: no limit. */
  readonly requestsPerSec: number;
  /** /write body bytes per second; 0: no limit. */
  readonly produceBytesPerSec: number;
}

export class QuotaOverrides extends ChildrenCache<QuotaOverride & { principal: string }, QuotaOverride> {
  constructor(
    zk: ZooKeeper,
    private readonly paths: ZooKeeperPaths,
    log: Logger,
    private readonly config: Pick<Config, 'quotaRequestsPerSec' | 'quotaProduceBytesPerSec'>,
  ) {
    super(zk, log, paths.quotas, paths.quota, (principal, node) => Object.freeze({ principal, ...pick(node) }));
  }

  get defaults(): Quotas {
    return { requestsPerSec: this.config.quotaRequestsPerSec, produceBytesPerSec: this.config.quotaProduceBytesPerSec };
  }

  /** The principal's quotas: its own where set, the defaults otherwise. */
  of(principal: string): Quotas {
    const own = this.get(principal);
    return {
      requestsPerSec: own?.requestsPerSec ?? this.config.quotaRequestsPerSec,
      produceBytesPerSec: own?.produceBytesPerSec ?? this.config.quotaProduceBytesPerSec,
    };
  }

  /** Every principal's own quotas, read from ZooKeeper itself (admin routes; see AclStore.listStored). */
  async listStored(): Promise<Array<QuotaOverride & { principal: string }>> {
    const principals = (await this.zk.getChildren(this.paths.quotas)).sort();
    const nodes = await Promise.all(principals.map((name) => this.zk.getDataIfExists<QuotaOverride>(this.paths.quota(name))));
    return principals.flatMap((principal, i) => (nodes[i] ? [{ principal, ...pick(nodes[i]!.value) }] : []));
  }

  /** Sets the principal's own quotas (replacing what it had). */
  async set(principal: string, quotas: QuotaOverride): Promise<void> {
    const path = this.paths.quota(principal);
    // Create, or overwrite; a concurrent remove between the two means create again.
    for (;;) {
      try {
        await this.zk.create(path, pick(quotas));
        break;
      } catch (err) {
        if (!isNodeError(err, 'NODE_EXISTS')) throw err;
      }
      try {
        await this.zk.setData(path, pick(quotas));
        break;
      } catch (err) {
        if (!isNodeError(err, 'NO_NODE')) throw err;
      }
    }
    await this.refresh();
  }

  /** Back to the defaults; answers whether the principal had quotas of its own. */
  async remove(principal: string): Promise<boolean> {
    try {
      await this.zk.remove(this.paths.quota(principal));
    } catch (err) {
      if (isNodeError(err, 'NO_NODE')) return false;
      throw err;
    }
    await this.refresh();
    return true;
  }
}

function pick({ requestsPerSec, produceBytesPerSec }: QuotaOverride): QuotaOverride {
  return { ...(requestsPerSec === undefined ? {} : { requestsPerSec }), ...(produceBytesPerSec === undefined ? {} : { produceBytesPerSec }) };
}
