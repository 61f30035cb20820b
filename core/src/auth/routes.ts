// The HTTP routes that manage API keys and ACLs (the broker serves them; `tributary keys` and `tributary
// acl` call them). Every one needs admin on cluster. Documented in README.md (Security).
//
//   POST   /keys                                {principal}        201 {principal, key_id, key, created_at}: the
//                                                                  only time the key is shown
//   GET    /keys[?principal=p]                                     200 {keys: [{key_id, principal, created_at}]}
//   DELETE /keys/:key_id                                           200 {key_id, principal, revoked: true}
//   DELETE /principals/:principal/keys                             200 {principal, revoked: [key_id, …]}
//   GET    /acls[?principal=p]                                     200 {acls: [{principal, operation, resource}]}
//   PUT    /acls/:principal/:operation/:resource                   201 added, 200 already there
//   DELETE /acls/:principal/:operation/:resource                   200 removed, 404 ACL_NOT_FOUND
//   GET    /quotas                                                 200 {defaults: {requests_per_sec,
//                                                                  produce_bytes_per_sec}, principals: [{principal, …}]}
//   PUT    /quotas/:principal  {requests_per_sec?, produce_bytes_per_sec?}   200: the principal's own (0: none)
//   DELETE /quotas/:principal                                      200 {principal, removed}: back to the defaults
import type { FastifyInstance } from 'fastify';
import { clusterResource, type RouteAccess } from '../access.js';
import {
  Acl,
  AclList,
  AclParams,
  KeyCreateBody,
  KeyCreated,
  KeyIdParams,
  KeyList,
  KeyRevoked,
  PrincipalKeysRevoked,
  PrincipalParams,
  PrincipalQuery,
  Quota,
  QuotaBody,
  QuotaList,
  QuotaRemoved,
} from '../protocol/access.js';
import { errorResponses } from '../protocol/common.js';
import type { AccessControl } from './access-control.js';
import type { ApiKeyInfo } from './api-keys.js';
import type { QuotaOverride } from './quotas.js';

const adminOnCluster: RouteAccess = { operation: 'admin', resource: clusterResource };
const config = { access: adminOnCluster };

const keyInfo = ({ id, principal, createdAt }: ApiKeyInfo) => ({ key_id: id, principal, created_at: new Date(createdAt).toISOString() });

export function registerAccessRoutes(app: FastifyInstance, access: AccessControl): void {
  const { keys, acls, quotas } = access;

  app.post<{ Body: KeyCreateBody }>(
    '/keys',
    {
      config,
      schema: {
        body: KeyCreateBody,
        response: { 201: KeyCreated, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await keys.create(request.body.principal);
      return reply.code(201).send({ ...keyInfo(created), key: created.key });
    },
  );

  app.get<{ Querystring: PrincipalQuery }>(
    '/keys',
    { config, schema: { querystring: PrincipalQuery, response: { 200: KeyList, ...errorResponses } } },
    async (request) => {
      // Admin routes read ZooKeeper first: a key just made through another broker may not have reached this
      // one's cache yet.
      await keys.refresh();
      return { keys: keys.list(request.query.principal).map(keyInfo) };
    },
  );

  app.delete<{ Params: KeyIdParams }>(
    '/keys/:key_id',
    {
      config,
      schema: {
        params: KeyIdParams,
        response: { 200: KeyRevoked, ...errorResponses },
      },
    },
    async (request) => {
      const revoked = await keys.revoke(request.params.key_id);
      return { key_id: revoked.id, principal: revoked.principal, revoked: true };
    },
  );

  app.delete<{ Params: { principal: string } }>(
    '/principals/:principal/keys',
    {
      config,
      schema: {
        params: PrincipalParams,
        response: { 200: PrincipalKeysRevoked, ...errorResponses },
      },
    },
    async (request) => {
      const { principal } = request.params;
      await keys.refresh();
      const ids = keys.list(principal).map((key) => key.id);
      for (const id of ids) await keys.revoke(id);
      return { principal, revoked: ids };
    },
  );

  app.get<{ Querystring: PrincipalQuery }>(
    '/acls',
    { config, schema: { querystring: PrincipalQuery, response: { 200: AclList, ...errorResponses } } },
    async (request) => ({ acls: await acls.listStored(request.query.principal) }),
  );

  app.put<{ Params: AclParams }>(
    '/acls/:principal/:operation/:resource',
    { config, schema: { params: AclParams, response: { 200: Acl, 201: Acl, ...errorResponses } } },
    async (request, reply) => {
      const { principal, operation, resource } = request.params;
      const added = await acls.add(principal, { operation, resource });
      return reply.code(added ? 201 : 200).send({ principal, operation, resource });
    },
  );

  app.delete<{ Params: AclParams }>(
    '/acls/:principal/:operation/:resource',
    { config, schema: { params: AclParams, response: { 200: Acl, ...errorResponses } } },
    async (request) => {
      const { principal, operation, resource } = request.params;
      await acls.remove(principal, { operation, resource });
      return { principal, operation, resource };
    },
  );

  app.get(
    '/quotas',
    {
      config,
      schema: {
        response: {
          200: QuotaList,
          ...errorResponses,
        },
      },
    },
    async () => ({
      defaults: quotaView(quotas.defaults),
      principals: (await quotas.listStored()).map(({ principal, ...own }) => ({ principal, ...quotaView(own) })),
    }),
  );

  app.put<{ Params: PrincipalParams; Body: QuotaBody }>(
    '/quotas/:principal',
    {
      config,
      schema: {
        params: PrincipalParams,
        body: QuotaBody,
        response: { 200: Quota, ...errorResponses },
      },
    },
    async (request) => {
      const { requests_per_sec, produce_bytes_per_sec } = request.body;
      const own = {
        ...(requests_per_sec === undefined ? {} : { requestsPerSec: requests_per_sec }),
        ...(produce_bytes_per_sec === undefined ? {} : { produceBytesPerSec: produce_bytes_per_sec }),
      };
      await quotas.set(request.params.principal, own);
      return { principal: request.params.principal, ...quotaView(own) };
    },
  );

  app.delete<{ Params: { principal: string } }>(
    '/quotas/:principal',
    {
      config,
      schema: {
        params: PrincipalParams,
        response: { 200: QuotaRemoved, ...errorResponses },
      },
    },
    async (request) => ({ principal: request.params.principal, removed: await quotas.remove(request.params.principal) }),
  );
}

function quotaView({ requestsPerSec, produceBytesPerSec }: QuotaOverride): { requests_per_sec?: number; produce_bytes_per_sec?: number } {
  return {
    ...(requestsPerSec === undefined ? {} : { requests_per_sec: requestsPerSec }),
    ...(produceBytesPerSec === undefined ? {} : { produce_bytes_per_sec: produceBytesPerSec }),
  };
}
