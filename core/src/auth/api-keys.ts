// API keys. A key is `trib_<id>_<secret>`: the id (16 hex digits) names it in listings and revocations, the
// secret (32 random bytes, base64url) proves it. ZooKeeper holds /keys/<id> with the principal and the
// SHA-256 of the secret, never the key: a key is shown once, when it is made. A fast hash is enough because
// the secret is random and 256 bits long (nothing to guess from a dictionary); a slow one (bcrypt, scrypt)
// would cost every request milliseconds.
//
// Every broker and gateway keeps all keys in memory, refreshed by watches (ChildrenCache, docs/invariants.md I5):
// authenticating never waits on ZooKeeper, and a revoked key's node deletion reaches every instance within
// a watch round trip.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../errors.js';
import type { ZooKeeperPaths } from '../keys.js';
import type { Logger } from '../logger.js';
import { ChildrenCache } from '../node-cache.js';
import { isNodeError, type ZooKeeper } from '../zookeeper.js';
import { ADMIN_PRINCIPAL } from './principal.js';

/** As stored at /keys/<id>. */
interface ApiKeyNode {
  principal: string;
  sha256: string;
  createdAt: number;
}

export interface ApiKeyInfo {
  readonly id: string;
  readonly principal: string;
  readonly createdAt: number;
}

interface CachedKey extends ApiKeyInfo {
  readonly digest: Buffer;
}

const KEY_PATTERN = /^trib_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const KEY_ID_PATTERN = '^[0-9a-f]{16}$';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A fresh key: its id and the full key text (shown once). */
export function generateApiKey(): { id: string; key: string } {
  const id = randomBytes(8).toString('hex');
  return { id, key: `trib_${id}_${randomBytes(32).toString('base64url')}` };
}

export class ApiKeyStore extends ChildrenCache<CachedKey, ApiKeyNode> {
  readonly #adminDigest: Buffer | undefined;

  constructor(
    zk: ZooKeeper,
    private readonly paths: ZooKeeperPaths,
    log: Logger,
    /** TRIBUTARY_ADMIN_KEY: accepted as a key of the built-in admin principal. */
    adminKey: string | undefined,
  ) {
    super(zk, log, paths.apiKeys, paths.apiKey, (id, node) =>
      Object.freeze({ id, principal: node.principal, createdAt: node.createdAt, digest: Buffer.from(node.sha256, 'hex') }),
    );
    this.#adminDigest = adminKey === undefined ? undefined : sha256(adminKey);
  }

  /** The principal `key` belongs to, or undefined for a key that is unknown, revoked or malformed. */
  authenticate(key: string): string | undefined {
    const digest = sha256(key);
    if (this.#adminDigest && timingSafeEqual(digest, this.#adminDigest)) return ADMIN_PRINCIPAL;
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const stored = this.get(match[1]!);
    if (!stored || !timingSafeEqual(sha256(match[2]!), stored.digest)) return undefined;
    return stored.principal;
  }

  list(principal?: string): ApiKeyInfo[] {
    return this.values()
      .filter((key) => principal === undefined || key.principal === principal)
      .map(({ id, principal: owner, createdAt }) => ({ id, principal: owner, createdAt }))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Makes a key for `principal` (already validated); the answer is the only place the key appears. */
  async create(principal: string): Promise<ApiKeyInfo & { key: string }> {
    const { id, key } = generateApiKey();
    const createdAt = Date.now();
    const secret = KEY_PATTERN.exec(key)![2]!;
    await this.zk.create(this.paths.apiKey(id), { principal, sha256: sha256(secret).toString('hex'), createdAt } satisfies ApiKeyNode);
    await this.refresh();
    return { id, principal, createdAt, key };
  }

  /** Removes one key; the answer says whose it was. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const node = await this.zk.getDataIfExists<ApiKeyNode>(this.paths.apiKey(id));
    if (!node) throw new TributaryError('API_KEY_NOT_FOUND', `no API key with id "${id}"`);
    try {
      await this.zk.remove(this.paths.apiKey(id));
    } catch (err) {
      if (!isNodeError(err, 'NO_NODE')) throw err;
    }
    await this.refresh();
    return { id, principal: node.value.principal, createdAt: node.value.createdAt };
  }
}
