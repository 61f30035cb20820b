// Where ACLs live: /acl/<principal> holds that principal's grants, and every broker and gateway keeps all of
// them in memory, refreshed by watches (ChildrenCache, docs/invariants.md I5), so authorizing never waits on
// ZooKeeper. Changes are compare-and-set on the node's version, so two admins adding at once both land.
import { TributaryError } from '../errors.js';
import type { ZooKeeperPaths } from '../keys.js';
import type { Logger } from '../logger.js';
import { ChildrenCache } from '../node-cache.js';
import { isNodeError, type ZooKeeper } from '../zookeeper.js';
import type { Operation } from '../access.js';
import { isAllowed, type Grant } from './acl.js';

/** As stored at /acl/<principal>. */
interface AclNode {
  grants: Grant[];
}

export interface AclEntry extends Grant {
  readonly principal: string;
}

interface PrincipalGrants {
  readonly principal: string;
  readonly grants: readonly Grant[];
}

export class AclStore extends ChildrenCache<PrincipalGrants, AclNode> {
  constructor(
    zk: ZooKeeper,
    private readonly paths: ZooKeeperPaths,
    log: Logger,
  ) {
    super(zk, log, paths.acls, paths.acl, (principal, node) =>
      Object.freeze({ principal, grants: Object.freeze(node.grants.map(({ operation, resource }) => Object.freeze({ operation, resource }))) }),
    );
  }

  allows(principal: string, operation: Operation, resource: string): boolean {
    return isAllowed(principal, this.get(principal)?.grants, operation, resource);
  }

  /**
   * Every grant, or one principal's, read from ZooKeeper itself rather than the cache: for the admin routes,
   * so that a change just made through another instance shows before this one's watch delivers it.
   */
  async listStored(principal?: string): Promise<AclEntry[]> {
    const principals = principal === undefined ? (await this.zk.getChildren(this.paths.acls)).sort() : [principal];
    const nodes = await Promise.all(principals.map((name) => this.zk.getDataIfExists<AclNode>(this.paths.acl(name))));
    return principals.flatMap((name, i) => (nodes[i]?.value.grants ?? []).map(({ operation, resource }) => ({ principal: name, operation, resource })));
  }

  /** Adds a grant; answers false if the principal already had it. */
  async add(principal: string, grant: Grant): Promise<boolean> {
    return this.#update(principal, (grants) => (grants.some((g) => same(g, grant)) ? undefined : [...grants, grant]));
  }

  /** Removes a grant; ACL_NOT_FOUND if the principal did not have it. */
  async remove(principal: string, grant: Grant): Promise<void> {
    const changed = await this.#update(principal, (grants) => {
      const rest = grants.filter((g) => !same(g, grant));
      return rest.length === grants.length ? undefined : rest;
    });
    if (!changed) {
      throw new TributaryError('ACL_NOT_FOUND', `principal ${principal} has no ACL ${grant.operation} on ${grant.resource}`);
    }
  }

  /** Applies `change` to the stored grants (undefined: nothing to change), retrying on concurrent writes. */
  async #update(principal: string, change: (grants: Grant[]) => Grant[] | undefined): Promise<boolean> {
    const path = this.paths.acl(principal);
    for (;;) {
      const node = await this.zk.getDataIfExists<AclNode>(path);
      const next = change(node?.value.grants ?? []);
      if (!next) return false;
      try {
        if (!node) await this.zk.create(path, { grants: next } satisfies AclNode);
        else if (next.length === 0) await this.zk.remove(path, node.version);
        else await this.zk.setData(path, { grants: next } satisfies AclNode, node.version);
        await this.refresh();
        return true;
      } catch (err) {
        if (isNodeError(err, 'BAD_VERSION') || isNodeError(err, 'NODE_EXISTS') || isNodeError(err, 'NO_NODE')) continue;
        throw err;
      }
    }
  }
}

function same(a: Grant, b: Grant): boolean {
  return a.operation === b.operation && a.resource === b.resource;
}
