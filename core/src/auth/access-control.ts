// Authentication, authorization and quotas, hooked into every route of both services at once. Each route
// declares what it needs (`config.access`, access.ts); with AUTH=on a request then goes:
//
//   onRequest   'public' routes (health checks) pass. Anything else needs `Authorization: Bearer <key>`
//               naming a live key (401 UNAUTHENTICATED otherwise, before the body is even read), and the
//               principal must be under its request-rate quota (429 QUOTA_EXCEEDED with Retry-After).
//   preHandler  after validation, so the resource comes from checked params: the principal must hold the
//               route's operation on its resource (403 FORBIDDEN naming all three); a produce request is
//               then charged its body bytes against the principal's byte-rate quota (429).
//
// Keys and ACLs are read from in-process caches (ApiKeyStore, AclStore): no request waits on ZooKeeper.
// Quotas (each principal's own, or the defaults: quotas.ts) are counted in Redis, so they hold across every
// broker and gateway. When Redis cannot be asked, quotas let
// requests through (the request itself then fails or succeeds on its own): a quota protects the cluster,
// it is not worth refusing service for. The built-in admin principal has no quota.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operation } from '../access.js';
import type { Config } from '../config.js';
import { TributaryError } from '../errors.js';
import { quotaKeys, type ZooKeeperPaths } from '../keys.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../storage/connection.js';
import { QuotaStore } from '../storage/quota-store.js';
import type { ZooKeeper } from '../zookeeper.js';
import { AclStore } from './acl-store.js';
import { ApiKeyStore } from './api-keys.js';
import { ADMIN_PRINCIPAL } from './principal.js';
import { QuotaOverrides } from './quotas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as (AUTH=on, after authentication); undefined with auth off. */
    principal: string | undefined;
    /**
     * For a permission beyond the route's declared one (a group join also reads its topics): throws 403
     * FORBIDDEN unless the principal holds `operation` on `resource`. Does nothing with auth off.
     */
    authorize(operation: Operation, resource: string): void;
    /** Whether the principal holds `operation` on `resource` (always, with auth off): to filter a listing. */
    isAllowed(operation: Operation, resource: string): boolean;
  }
}

/** The stores behind access control, shared by a service's routes and hooks. */
export interface AccessControl {
  readonly keys: ApiKeyStore;
  readonly acls: AclStore;
  /** Each principal's quotas: the defaults, or its own. */
  readonly quotas: QuotaOverrides;
  /** What each principal used, in Redis. */
  readonly quotaCounters: QuotaStore;
  readonly redis: RedisClient;
  stop(): void;
}

export interface AccessControlDeps {
  config: Config;
  zk: ZooKeeper;
  paths: ZooKeeperPaths;
  redis: RedisClient;
  logger: Logger;
}

/**
 * Loads every API key and ACL and keeps them current. Loaded with auth off too, so keys and ACLs can be
 * managed before AUTH=on is turned on.
 */
export async function startAccessControl({ config, zk, paths, redis, logger }: AccessControlDeps): Promise<AccessControl> {
  const keys = new ApiKeyStore(zk, paths, logger, config.adminKey);
  const acls = new AclStore(zk, paths, logger);
  const quotas = new QuotaOverrides(zk, paths, logger, config);
  const caches = [keys, acls, quotas];
  try {
    await Promise.all(caches.map((cache) => cache.start()));
  } catch (err) {
    for (const cache of caches) cache.stop();
    throw err;
  }
  return {
    keys,
    acls,
    quotas,
    quotaCounters: new QuotaStore(redis),
    redis,
    stop() {
      for (const cache of caches) cache.stop();
    },
  };
}

const BEARER = /^Bearer +(\S{1,512}) *$/i;

/** Installs the hooks described at the top of this file; with auth off there are none. */
export function enforceAccessControl(app: FastifyInstance, config: Config, access: AccessControl | undefined): void {
  app.decorateRequest('principal', undefined);
  if (!config.auth) {
    app.decorateRequest('authorize', () => {});
    app.decorateRequest('isAllowed', () => true);
    return;
  }
  if (!access) throw new Error('AUTH=on needs the access-control stores (startAccessControl)');
  const { acls } = access;
  app.decorateRequest('isAllowed', function (this: FastifyRequest, operation: Operation, resource: string) {
    return this.principal !== undefined && acls.allows(this.principal, operation, resource);
  });
  app.decorateRequest('authorize', function (this: FastifyRequest, operation: Operation, resource: string) {
    if (!this.isAllowed(operation, resource)) throw forbidden(this.principal ?? 'anonymous', operation, resource);
  });
  const log = app.log;

  let requestLimiter: ((request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>) | undefined;
  // The plugin's Redis store: one INCR script per request on the principal's own key (one hash slot, so it
  // runs on a Redis Cluster too). Not global: our onRequest hook calls it once the principal is known.
  void app.register(rateLimit, {
    global: false,
    redis: access.redis,
    nameSpace: '',
    keyGenerator: (request) => quotaKeys(request.principal!).requests,
    max: (request) => access.quotas.of(request.principal!).requestsPerSec,
    timeWindow: 1_000,
    skipOnError: true,
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.access === 'public') return;
    const principal = authenticate(access, request.headers.authorization);
    if (principal === undefined) {
      reply.header('www-authenticate', 'Bearer realm="tributary"');
      throw new TributaryError(
        'UNAUTHENTICATED',
        request.headers.authorization === undefined
          ? 'this service needs an API key: send Authorization: Bearer <api key>'
          : 'the API key is not valid (unknown, revoked or malformed)',
      );
    }
    request.principal = principal;
    const { requestsPerSec } = access.quotas.of(principal);
    if (requestsPerSec === 0 || principal === ADMIN_PRINCIPAL) return;
    requestLimiter ??= app.createRateLimit();
    const limit = await requestLimiter(request);
    if (!limit.isAllowed && limit.isExceeded) {
      overQuota(reply, (limit.ttlInSeconds ?? 1) * 1000, `principal ${principal} is over its quota of ${requestsPerSec} requests per second`);
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const declared = request.routeOptions.config.access;
    const principal = request.principal;
    if (declared === undefined || declared === 'public' || principal === undefined) return;
    request.authorize(declared.operation, declared.resource(request));
    if (declared.operation !== 'produce' || principal === ADMIN_PRINCIPAL) return;
    const { produceBytesPerSec } = access.quotas.of(principal);
    if (produceBytesPerSec === 0) return;
    let waitMs = 0;
    try {
      waitMs = await access.quotaCounters.chargeProducedBytes(principal, Math.max(1, request.bodyBytes), produceBytesPerSec);
    } catch (err) {
      log.warn({ err, principal }, 'could not charge the produce quota in Redis; letting the request through');
    }
    if (waitMs > 0) {
      overQuota(reply, waitMs, `principal ${principal} is over its quota of ${produceBytesPerSec} produced bytes per second`);
    }
  });
}

function forbidden(principal: string, operation: Operation, resource: string): TributaryError {
  return new TributaryError('FORBIDDEN', `principal ${principal} lacks ${operation} on ${resource}`, { principal, resource });
}

function authenticate(access: AccessControl, header: string | undefined): string | undefined {
  const match = header === undefined ? null : BEARER.exec(header);
  return match ? access.keys.authenticate(match[1]!) : undefined;
}

function overQuota(reply: FastifyReply, waitMs: number, message: string): never {
  reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
  throw new TributaryError('QUOTA_EXCEEDED', message);
}
