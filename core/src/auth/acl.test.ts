import { describe, expect, it } from 'vitest';
import { grantAllows, isAllowed, isOperation, isResource, topicPatternResource, type Grant } from './acl.js';
import { isPrincipalName } from './principal.js';

describe('ACL matching', () => {
  const gameConsumer: Grant = { operation: 'consume', resource: 'topic:game.*' };

  it('matches a prefix grant on names that start with the prefix, and nothing else', () => {
    expect(grantAllows(gameConsumer, 'consume', 'topic:game.scores')).toBe(true);
    expect(grantAllows(gameConsumer, 'consume', 'topic:game.')).toBe(true);
    expect(grantAllows(gameConsumer, 'consume', 'topic:billing')).toBe(false);
    expect(grantAllows(gameConsumer, 'consume', 'topic:gamex')).toBe(false);
    expect(grantAllows(gameConsumer, 'consume', 'group:game.scores')).toBe(false);
  });

  it('matches an exact grant only on that name', () => {
    const grant: Grant = { operation: 'produce', resource: 'topic:orders' };
    expect(grantAllows(grant, 'produce', 'topic:orders')).toBe(true);
    expect(grantAllows(grant, 'produce', 'topic:orders2')).toBe(false);
  });

  it('lets admin imply every operation, produce and consume imply describe, and nothing imply admin', () => {
    const admin: Grant = { operation: 'admin', resource: 'topic:*' };
    for (const op of ['produce', 'consume', 'describe', 'admin'] as const) expect(grantAllows(admin, op, 'topic:x')).toBe(true);
    expect(grantAllows(gameConsumer, 'describe', 'topic:game.x')).toBe(true);
    expect(grantAllows(gameConsumer, 'produce', 'topic:game.x')).toBe(false);
    expect(grantAllows(gameConsumer, 'admin', 'topic:game.x')).toBe(false);
    expect(grantAllows({ operation: 'describe', resource: 'topic:*' }, 'consume', 'topic:x')).toBe(false);
  });

  it('denies by default and allows the built-in admin everything', () => {
    expect(isAllowed('alice', undefined, 'describe', 'cluster')).toBe(false);
    expect(isAllowed('alice', [], 'describe', 'cluster')).toBe(false);
    expect(isAllowed('admin', undefined, 'admin', 'cluster')).toBe(true);
  });

  it('cluster is matched only by a cluster grant', () => {
    expect(isAllowed('ops', [{ operation: 'admin', resource: 'topic:*' }], 'admin', 'cluster')).toBe(false);
    expect(isAllowed('ops', [{ operation: 'describe', resource: 'cluster' }], 'describe', 'cluster')).toBe(true);
  });

  it('validates resources, operations and principal names', () => {
    for (const ok of ['cluster', 'topic:a', 'topic:game.*', 'topic:*', 'group:g-1', 'group:*']) expect(isResource(ok)).toBe(true);
    for (const bad of ['topic:', 'topic', 'cluster*', 'topic:a*b', 'topic:a b', 'user:x', 'topic:a/b', 'group:{x}']) expect(isResource(bad)).toBe(false);
    expect(isOperation('consume')).toBe(true);
    expect(isOperation('write')).toBe(false);
    for (const ok of ['admin', 'billing-service', 'ann@example.com', 'a.b_c']) expect(isPrincipalName(ok)).toBe(true);
    for (const bad of ['', '.', '..', '-x', 'a*', 'a?', 'a[1]', 'a{b}', 'a/b', 'a:b', 'x'.repeat(129)]) expect(isPrincipalName(bad)).toBe(false);
  });

  it('turns a topic glob into the prefix resource it could reach, which only a prefix grant as wide covers', () => {
    expect(topicPatternResource('game.*')).toBe('topic:game.*');
    expect(topicPatternResource('logs-??')).toBe('topic:logs-*');
    expect(topicPatternResource('*')).toBe('topic:*');
    expect(topicPatternResource('exact')).toBe('topic:exact');
    const grants = [{ operation: 'consume', resource: 'topic:game.*' }] as const;
    expect(isAllowed('p', grants, 'consume', topicPatternResource('game.*'))).toBe(true);
    expect(isAllowed('p', grants, 'consume', topicPatternResource('game.eu.*'))).toBe(true);
    expect(isAllowed('p', grants, 'consume', topicPatternResource('gam*'))).toBe(false);
    expect(isAllowed('p', grants, 'consume', topicPatternResource('*'))).toBe(false);
    expect(isAllowed('p', [{ operation: 'consume', resource: 'topic:game.x' }], 'consume', topicPatternResource('game.*'))).toBe(false);
  });
});
