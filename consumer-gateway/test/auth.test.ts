// AUTH=on: API keys, ACLs, default deny, on two brokers and a gateway sharing one ZooKeeper root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import {
  connectServices,
  createHttpServer,
  declaredRoutes,
  groupResource,
  registerHealthRoutes,
  type Config,
  type Operation,
} from '@tributary/core';
import { testConfig, uniqueEmail, uniqueName, waitFor, zooKeeperTree } from '@tributary/testkit';
import { createGateway, type Gateway } from '../src/index.js';

const ADMIN_KEY = `admin-secret-${uniqueName('k')}`;
let config: Config;
let brokerA: Broker;
let brokerB: Broker;
let gateway: Gateway;

type Service = Broker | Gateway;

beforeAll(async () => {
  config = testConfig({ auth: true, adminKey: ADMIN_KEY, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 });
  const same = { zookeeperRoot: config.zookeeperRoot, auth: true, adminKey: ADMIN_KEY };
  [brokerA, brokerB, gateway] = await Promise.all([
    createBroker(config),
    createBroker(testConfig({ ...same, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 })),
    createGateway(testConfig({ ...same, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 })),
  ]);
});
afterAll(async () => {
  await Promise.all([brokerA, brokerB, gateway].map((service) => service?.close()));
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function call(service: Service, key: string | undefined, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return service.app.inject({ method, url, headers: key === undefined ? {} : bearer(key), ...(payload ? { payload } : {}) });
}

async function createKey(principal: string): Promise<{ key: string; key_id: string }> {
  const response = await call(brokerA, ADMIN_KEY, 'POST', '/keys', { principal });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function grant(principal: string, operation: Operation, resource: string): Promise<void> {
  const response = await call(brokerA, ADMIN_KEY, 'PUT', `/acls/${principal}/${operation}/${encodeURIComponent(resource)}`);
  expect(response.statusCode, response.body).toBe(201);
}

/** Until every service has `key` as a live key (its cache learns of it from a ZooKeeper watch). */
async function knownEverywhere(key: string): Promise<void> {
  for (const service of [brokerA, brokerB, gateway]) {
    await waitFor(async () => (await call(service, key, 'GET', '/no-such-route')).statusCode === 404, { what: 'the key to be known' });
  }
}

async function createTopic(name = uniqueName('t')): Promise<string> {
  const response = await call(brokerA, ADMIN_KEY, 'POST', `/create_topic/${name}/2`);
  expect(response.statusCode, response.body).toBe(201);
  await waitFor(() => gateway.topics.get(name) && brokerB.topics.get(name), { what: `broker B and the gateway to see ${name}` });
  return name;
}

const expectForbidden = (response: { statusCode: number; json(): any }, principal: string, operation: string, resource: string) => {
  expect(response.statusCode).toBe(403);
  expect(response.json()).toEqual({
    statusCode: 403,
    code: 'FORBIDDEN',
    error: 'Forbidden',
    message: `principal ${principal} lacks ${operation} on ${resource}`,
    retriable: false,
  });
};

describe('authentication', () => {
  it('keeps /healthz and /readyz open on every service', async () => {
    for (const service of [brokerA, gateway]) {
      expect((await call(service, undefined, 'GET', '/healthz')).statusCode).toBe(200);
      expect((await call(service, undefined, 'GET', '/readyz')).statusCode).toBe(200);
    }
  });

  it('answers 401 UNAUTHENTICATED, with WWW-Authenticate, without a key, with an unknown key or a malformed header', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      bearer('trib_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
      bearer('not-a-key'),
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` },
      { authorization: 'Bearer' },
    ];
    for (const headers of attempts) {
      for (const [service, url] of [
        [brokerA, '/topics'],
        [gateway, `/subscriptions/${uniqueEmail()}`],
        [brokerB, '/no-such-route'],
      ] as const) {
        const response = await service.app.inject({ method: 'GET', url, headers });
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="tributary"');
        expect(response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', retriable: false });
      }
    }
  });

  it('accepts TRIBUTARY_ADMIN_KEY as the built-in admin, which holds every permission', async () => {
    const name = await createTopic();
    expect((await call(brokerB, ADMIN_KEY, 'POST', `/write/${name}`, { key: 'k', value: 1 })).statusCode).toBe(200);
    expect((await call(gateway, ADMIN_KEY, 'POST', `/subscribe/${uniqueEmail()}/${name}`)).statusCode).toBe(201);
    expect((await call(brokerB, ADMIN_KEY, 'GET', '/cluster')).statusCode).toBe(200);
    expect((await call(brokerB, ADMIN_KEY, 'GET', '/acls')).statusCode).toBe(200);
  });

  it('shows a key once, at creation: listings show its id, and ZooKeeper holds only a hash', async () => {
    const principal = uniqueName('svc');
    const created = await createKey(principal);
    expect(created).toMatchObject({ principal, key_id: expect.stringMatching(/^[0-9a-f]{16}$/), created_at: expect.any(String) });
    expect(created.key).toMatch(/^trib_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);

    const listed = (await call(brokerA, ADMIN_KEY, 'GET', `/keys?principal=${principal}`)).json();
    expect(listed).toEqual({ keys: [{ key_id: created.key_id, principal, created_at: created.created_at }] });

    // The secret is base64url, which may itself contain '_'.
    const secret = created.key.slice(`trib_${created.key_id}_`.length);
    expect(secret).toHaveLength(43);
    const nodes = await zooKeeperTree(config.zookeeperRoot);
    const keyNode = nodes.find((node) => node.path === `${config.zookeeperRoot}/keys/${created.key_id}`);
    expect(keyNode).toBeDefined();
    expect(JSON.parse(keyNode!.data)).toEqual({ principal, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: expect.any(Number) });
    for (const node of nodes) {
      expect(node.data).not.toContain(secret);
      expect(node.data).not.toContain(ADMIN_KEY);
    }
  });

  it('refuses a key for an invalid principal name', async () => {
    for (const principal of ['', 'a*', 'a/b', '{x}', 'x'.repeat(129)]) {
      const response = await call(brokerA, ADMIN_KEY, 'POST', '/keys', { principal });
      expect(response.statusCode, principal).toBe(400);
      expect(response.json().code).toBe('INVALID_REQUEST');
    }
  });
});

describe('authorization: a key allowed to consume topic:game.*', () => {
  let principal: string;
  let key: string;
  let game: string;
  let billing: string;

  beforeAll(async () => {
    principal = uniqueName('gamer');
    ({ key } = await createKey(principal));
    await grant(principal, 'consume', 'topic:game.*');
    game = await createTopic(`game.${uniqueName('scores')}`);
    billing = await createTopic(`billing-${uniqueName('b')}`);
    await knownEverywhere(key);
    await waitFor(async () => (await call(gateway, key, 'POST', `/subscribe/${uniqueEmail()}/${game}`)).statusCode === 201, {
      what: 'the ACL to reach the gateway',
    });
  });

  it('subscribes to, reads, commits and seeks a game.* topic', async () => {
    const email = uniqueEmail();
    await call(brokerA, ADMIN_KEY, 'POST', `/write/${game}`, { key: 'p1', value: { score: 7 } });
    expect((await call(gateway, key, 'POST', `/subscribe/${email}/${game}`)).statusCode).toBe(201);
    const read = await call(gateway, key, 'GET', `/read/${email}/${game}/p1`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().messages.map((m: { value: unknown }) => m.value)).toEqual([{ score: 7 }]);
    expect((await call(gateway, key, 'POST', `/seek/${email}/${game}`, { to: 'earliest' })).statusCode).toBe(200);
    expect((await call(gateway, key, 'POST', `/commit/${email}/${game}/0`, { offset: 0 })).statusCode).toBe(200);
    expect((await call(gateway, key, 'POST', `/unsubscribe/${email}/${game}`)).statusCode).toBe(200);
  });

  it('describes a game.* topic (consume implies describe)', async () => {
    expect((await call(brokerB, key, 'GET', `/topics/${game}`)).statusCode).toBe(200);
  });

  it('cannot read billing', async () => {
    const email = uniqueEmail();
    expectForbidden(await call(gateway, key, 'POST', `/subscribe/${email}/${billing}`), principal, 'consume', `topic:${billing}`);
    expectForbidden(await call(gateway, key, 'GET', `/read/${email}/${billing}/k`), principal, 'consume', `topic:${billing}`);
    expectForbidden(await call(brokerA, key, 'GET', `/topics/${billing}`), principal, 'describe', `topic:${billing}`);
  });

  it('cannot create, delete or write to topics, not even game.* ones', async () => {
    const name = `game.${uniqueName('new')}`;
    expectForbidden(await call(brokerA, key, 'POST', `/create_topic/${name}/1`), principal, 'admin', `topic:${name}`);
    expectForbidden(await call(brokerB, key, 'DELETE', `/delete_topic/${game}`), principal, 'admin', `topic:${game}`);
    expectForbidden(await call(brokerB, key, 'POST', `/write/${game}`, { key: 'k', value: 1 }), principal, 'produce', `topic:${game}`);
    expect((await call(brokerA, ADMIN_KEY, 'GET', `/topics/${name}`)).statusCode).toBe(404);
  });

  it('cannot list topics, see the cluster, another consumer list, or manage keys and ACLs', async () => {
    expectForbidden(await call(brokerA, key, 'GET', '/topics'), principal, 'describe', 'cluster');
    expectForbidden(await call(brokerA, key, 'GET', '/cluster'), principal, 'describe', 'cluster');
    expectForbidden(await call(gateway, key, 'GET', `/subscriptions/${uniqueEmail()}`), principal, 'describe', 'cluster');
    expectForbidden(await call(brokerA, key, 'POST', '/keys', { principal }), principal, 'admin', 'cluster');
    expectForbidden(await call(brokerA, key, 'PUT', `/acls/${principal}/admin/cluster`), principal, 'admin', 'cluster');
    expectForbidden(await call(brokerA, key, 'GET', '/acls'), principal, 'admin', 'cluster');
  });

  it('gains and loses a permission as ACLs are added and removed, on every instance', async () => {
    await grant(principal, 'produce', `topic:${game}`);
    for (const broker of [brokerA, brokerB]) {
      await waitFor(async () => (await call(broker, key, 'POST', `/write/${game}`, { key: 'k', value: 2 })).statusCode === 200, {
        what: 'the produce ACL to reach every broker',
      });
    }
    const removed = await call(brokerB, ADMIN_KEY, 'DELETE', `/acls/${principal}/produce/${encodeURIComponent(`topic:${game}`)}`);
    expect(removed.statusCode).toBe(200);
    for (const broker of [brokerA, brokerB]) {
      await waitFor(async () => (await call(broker, key, 'POST', `/write/${game}`, { key: 'k', value: 3 })).statusCode === 403, {
        what: 'the removed ACL to reach every broker',
      });
    }
    const again = await call(brokerB, ADMIN_KEY, 'DELETE', `/acls/${principal}/produce/${encodeURIComponent(`topic:${game}`)}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('ACL_NOT_FOUND');
  });

  it('lists its ACLs', async () => {
    const response = await call(brokerB, ADMIN_KEY, 'GET', `/acls?principal=${principal}`);
    expect(response.json()).toEqual({ acls: [{ principal, operation: 'consume', resource: 'topic:game.*' }] });
  });
});

describe('default deny', () => {
  it('lets a principal with a key and no ACL do nothing but the health checks', async () => {
    const principal = uniqueName('nobody');
    const { key } = await createKey(principal);
    await knownEverywhere(key);
    const name = await createTopic();
    expectForbidden(await call(brokerA, key, 'GET', `/topics/${name}`), principal, 'describe', `topic:${name}`);
    expectForbidden(await call(brokerB, key, 'POST', `/write/${name}`, { key: 'k', value: 1 }), principal, 'produce', `topic:${name}`);
    expectForbidden(await call(gateway, key, 'POST', `/subscribe/${uniqueEmail()}/${name}`), principal, 'consume', `topic:${name}`);
    expect((await call(gateway, key, 'GET', '/healthz')).statusCode).toBe(200);
  });

  it('a produce grant on one topic writes to it and nowhere else', async () => {
    const principal = uniqueName('producer');
    const { key } = await createKey(principal);
    const [mine, other] = [await createTopic(), await createTopic()];
    await grant(principal, 'produce', `topic:${mine}`);
    await knownEverywhere(key);
    await waitFor(async () => (await call(brokerB, key, 'POST', `/write/${mine}`, { key: 'k', value: 1 })).statusCode === 200, {
      what: 'the ACL to reach broker B',
    });
    expectForbidden(await call(brokerB, key, 'POST', `/write/${other}`, { key: 'k', value: 1 }), principal, 'produce', `topic:${other}`);
    expectForbidden(await call(gateway, key, 'POST', `/subscribe/${uniqueEmail()}/${mine}`), principal, 'consume', `topic:${mine}`);
  });

  it('an admin grant on cluster manages keys and ACLs, and still cannot produce', async () => {
    const principal = uniqueName('ops');
    const { key } = await createKey(principal);
    await grant(principal, 'admin', 'cluster');
    await knownEverywhere(key);
    await waitFor(async () => (await call(brokerB, key, 'GET', '/keys')).statusCode === 200, { what: 'the ACL to reach broker B' });
    const name = await createTopic();
    expectForbidden(await call(brokerB, key, 'POST', `/write/${name}`, { key: 'k', value: 1 }), principal, 'produce', `topic:${name}`);
  });
});

describe('revocation', () => {
  it('stops a revoked key on every instance within a second', async () => {
    const principal = uniqueName('leaver');
    const { key, key_id } = await createKey(principal);
    await grant(principal, 'describe', 'cluster');
    for (const service of [brokerA, brokerB]) {
      await waitFor(async () => (await call(service, key, 'GET', '/topics')).statusCode === 200, { what: 'the key to work' });
    }
    await waitFor(async () => (await call(gateway, key, 'GET', `/subscriptions/${uniqueEmail()}`)).statusCode === 200, { what: 'the key to work' });

    const revoked = await call(brokerA, ADMIN_KEY, 'DELETE', `/keys/${key_id}`);
    expect(revoked.json()).toEqual({ key_id, principal, revoked: true });
    const revokedAt = Date.now();
    // Every instance learns of the deletion from its ZooKeeper watch: poll each, for at most one second.
    await Promise.all([
      ...[brokerA, brokerB].map((service) =>
        waitFor(async () => (await call(service, key, 'GET', '/topics')).statusCode === 401, { timeoutMs: 1_000, intervalMs: 10, what: 'a broker to refuse the key' }),
      ),
      waitFor(async () => (await call(gateway, key, 'GET', `/subscriptions/${uniqueEmail()}`)).statusCode === 401, {
        timeoutMs: 1_000,
        intervalMs: 10,
        what: 'the gateway to refuse the key',
      }),
    ]);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    expect((await call(brokerA, ADMIN_KEY, 'DELETE', `/keys/${key_id}`)).json().code).toBe('API_KEY_NOT_FOUND');
  });

  it('revokes every key of a principal at once', async () => {
    const principal = uniqueName('many');
    const keys = [await createKey(principal), await createKey(principal)];
    const response = await call(brokerB, ADMIN_KEY, 'DELETE', `/principals/${principal}/keys`);
    expect(response.statusCode).toBe(200);
    expect(response.json().revoked.sort()).toEqual(keys.map((k) => k.key_id).sort());
    for (const { key } of keys) {
      await waitFor(async () => (await call(brokerA, key, 'GET', '/topics')).statusCode === 401, { what: 'the keys to stop working' });
    }
  });
});

describe('group ACLs', () => {
  // A route declared as the consumer-group join is (consume on group:<name>), which also needs consume on
  // every topic it names (request.authorize): the enforcement every route gets from its config.access.
  it('refuses to join a group the key has no ACL for, and lets it join one it has', async () => {
    const connections = await connectServices(config, 'group-acl-test');
    const app = createHttpServer({ config, logger: connections.logger, access: connections.access });
    app.post<{ Body: { topics: string[] } }>(
      '/groups/:group/members',
      { config: { access: { operation: 'consume', resource: groupResource } } },
      async (request) => {
        for (const topic of request.body.topics) request.authorize('consume', `topic:${topic}`);
        return { joined: true };
      },
    );
    registerHealthRoutes(app, {});
    try {
      const principal = uniqueName('grouper');
      const { key } = await createKey(principal);
      await grant(principal, 'consume', 'topic:game.*');
      await grant(principal, 'consume', 'group:game-*');
      await waitFor(() => connections.access.acls.allows(principal, 'consume', 'group:game-x') && connections.access.keys.authenticate(key), {
        what: 'the key and ACLs to be known',
      });
      const join = (group: string, topics: string[], headers: Record<string, string> = bearer(key)) =>
        app.inject({ method: 'POST', url: `/groups/${group}/members`, headers, payload: { topics } });
      expectForbidden(await join('billing-readers', ['game.x']), principal, 'consume', 'group:billing-readers');
      expectForbidden(await join('game-leaderboard', ['game.x', 'billing']), principal, 'consume', 'topic:billing');
      expect((await join('game-leaderboard', ['game.x', 'game.y'])).statusCode).toBe(200);
      expect((await join('game-x', ['game.x'], {})).statusCode).toBe(401);
    } finally {
      await app.close();
      connections.close();
    }
  });

  it("the gateway's group routes each need a permission on their group, and joining checks it", async () => {
    await gateway.app.ready(); // routes of plugins (the group routes) are declared as the app loads
    const groupRoutes = declaredRoutes(gateway.app).filter((route) => route.url.startsWith('/groups/:group'));
    for (const route of groupRoutes) {
      expect(route.access, `${route.method} ${route.url}`).toMatchObject({ operation: expect.any(String) });
      const resource = (route.access as { resource: (request: unknown) => string }).resource({ params: { group: 'g1', member: 'm' } });
      expect(resource, `${route.method} ${route.url}`).toBe('group:g1');
    }
    if (!groupRoutes.some((route) => route.method === 'POST' && route.url === '/groups/:group/members')) return;
    const principal = uniqueName('member');
    const { key } = await createKey(principal);
    const game = await createTopic(`game.${uniqueName('g')}`);
    await grant(principal, 'consume', 'topic:game.*');
    await knownEverywhere(key);
    const billing = await createTopic(`billing-${uniqueName('b')}`);
    const join = (group: string, body: object = { topics: [game] }) => call(gateway, key, 'POST', `/groups/${group}/members`, body);
    await waitFor(async () => (await join('billing-readers')).statusCode === 403, { what: 'the topic ACL to reach the gateway' });
    expectForbidden(await join('billing-readers'), principal, 'consume', 'group:billing-readers');
    await grant(principal, 'consume', 'group:game-*');
    await waitFor(async () => (await join(`game-${uniqueName('lb')}`)).statusCode === 201, { what: 'the group ACL to let it join' });
    // The group ACL does not open topics: a member reads what it joins with.
    expectForbidden(await join('game-sneaky', { topics: [game, billing] }), principal, 'consume', `topic:${billing}`);
    expectForbidden(await join('game-sneaky', { pattern: '*' }), principal, 'consume', 'topic:*');
    expectForbidden(await join('game-sneaky', { pattern: 'bill*' }), principal, 'consume', 'topic:bill*');
    expect((await join(`game-${uniqueName('p')}`, { pattern: 'game.*' })).statusCode).toBe(201);
  });
});
