// What a route needs from the caller, declared next to the route (its `config.access`), so that
// authentication and authorization hook in once for every route of both services.
//
//   app.get('/topics/:topic', { config: { access: { operation: 'describe', resource: topicResource } } }, ...)
//
// Resources are named `topic:<name>`, `group:<name>` or `cluster`; ACLs grant an operation on a resource
// by exact name or by prefix (`topic:game.*`).
import type { FastifyRequest } from 'fastify';

export type Operation = 'produce' | 'consume' | 'describe' | 'admin';

export interface RouteAccess {
  operation: Operation;
  /** The resource the request acts on, from its (validated) params or body. */
  resource: (request: FastifyRequest) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a request to this route needs; 'public' routes (health checks) need none. */
    access?: RouteAccess | 'public';
  }
}

/** `topic:<name>` from the route's `:topic` param. */
export const topicResource = (request: FastifyRequest): string => `topic:${(request.params as { topic: string }).topic}`;

/** `group:<name>` from the route's `:group` param. */
export const groupResource = (request: FastifyRequest): string => `group:${(request.params as { group: string }).group}`;

export const clusterResource = (): string => 'cluster';
