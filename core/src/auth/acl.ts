// ACLs: which principal may do which operation on which resource. A grant names an operation and a
// resource, by exact name (`topic:billing`) or by prefix (`topic:game.*`; `topic:*` is every topic). What is
// not granted is denied. As in Kafka, a stronger operation implies the weaker ones on the same resource:
// admin implies produce, consume and describe; produce and consume each imply describe. The built-in admin
// principal holds every permission and needs no grant.
import type { Operation } from '../access.js';
import { ADMIN_PRINCIPAL } from './principal.js';

export const OPERATIONS: readonly Operation[] = ['produce', 'consume', 'describe', 'admin'];

export interface Grant {
  readonly operation: Operation;
  readonly resource: string;
}

const IMPLIED: Record<Operation, readonly Operation[]> = {
  admin: ['admin', 'produce', 'consume', 'describe'],
  produce: ['produce', 'describe'],
  consume: ['consume', 'describe'],
  describe: ['describe'],
};

// A resource name or prefix: the characters of topic names (Kafka's rules), which group names share.
export const RESOURCE_PATTERN = '^(cluster|(topic|group):[A-Za-z0-9._-]{0,249}\\*?)$';
const resourcePattern = new RegExp(RESOURCE_PATTERN);

export const RESOURCE_RULE =
  "a resource is cluster, topic:<name>, topic:<prefix>*, group:<name> or group:<prefix>*, names of ASCII letters, digits, '.', '_' and '-'";

/** Whether `resource` is a valid resource, or prefix pattern, to grant on. */
export function isResource(resource: string): boolean {
  return resourcePattern.test(resource) && resource !== 'topic:' && resource !== 'group:';
}

export function isOperation(operation: string): operation is Operation {
  return (OPERATIONS as readonly string[]).includes(operation);
}

/**
 * The resource a topic glob (`game.*`, `logs-??`) could reach, to check as one: its literal prefix as a
 * prefix resource (`topic:game.*`, `topic:logs-*`), or the topic itself when it has no glob character. A
 * prefix grant covers it only if the grant's prefix is no longer than the pattern's.
 */
export function topicPatternResource(pattern: string): string {
  const glob = pattern.search(/[*?[]/);
  return glob < 0 ? `topic:${pattern}` : `topic:${pattern.slice(0, glob)}*`;
}

/**
 * Whether `grant` covers `operation` on `resource`: a concrete resource, or a prefix resource as
 * topicPatternResource makes (a prefix grant covers a prefix resource that starts with its prefix).
 */
export function grantAllows(grant: Grant, operation: Operation, resource: string): boolean {
  if (!IMPLIED[grant.operation].includes(operation)) return false;
  if (grant.resource.endsWith('*')) return resource.startsWith(grant.resource.slice(0, -1));
  return grant.resource === resource;
}

/** Default deny: allowed only if some grant covers it, or the principal is the built-in admin. */
export function isAllowed(principal: string, grants: readonly Grant[] | undefined, operation: Operation, resource: string): boolean {
  if (principal === ADMIN_PRINCIPAL) return true;
  return grants?.some((grant) => grantAllows(grant, operation, resource)) ?? false;
}
