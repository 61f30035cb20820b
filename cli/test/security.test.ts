// The CLI against services with AUTH=on: --api-key / TRIBUTARY_API_KEY on every command, `keys` and `acl`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '@tributary/testkit';
import { Cluster } from './harness.js';

const ADMIN_KEY = `admin-secret-${uniqueName('k')}`;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({ auth: true, adminKey: ADMIN_KEY, quotaRequestsPerSec: 0, quotaProduceBytesPerSec: 0 });
});
afterAll(async () => {
  await cluster?.close();
});

const asAdmin = (args: string[]) => ['--api-key', ADMIN_KEY, ...args];

describe('tributary with AUTH=on', () => {
  it('says plainly that a key is needed, and exits 1', async () => {
    const result = await cluster.run(['topics', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: this service needs an API key');
  });

  it('takes the key from --api-key or TRIBUTARY_API_KEY', async () => {
    expect((await cluster.run(asAdmin(['topics', 'list']))).code).toBe(0);
    expect((await cluster.run(['topics', 'list'], { env: { TRIBUTARY_API_KEY: ADMIN_KEY } })).code).toBe(0);
  });

  it('keys create prints the key once; --json prints {principal, key}; the key then works, within its ACLs', async () => {
    const principal = uniqueName('svc');
    const created = await cluster.json(asAdmin(['keys', 'create', principal]));
    expect(created).toMatchObject({ principal, key: expect.stringMatching(/^trib_[0-9a-f]{16}_/) });

    const text = await cluster.run(asAdmin(['keys', 'create', principal]));
    expect(text.stdout.trim()).toMatch(/^trib_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(text.stderr).toContain('it is not shown again');

    const topic = uniqueName('t');
    await cluster.ok(asAdmin(['topics', 'create', topic, '-p', '1']));
    const denied = await cluster.run(['--api-key', created.key, 'produce', topic, '-k', 'k', 'v']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`principal ${principal} lacks produce on topic:${topic}`);

    expect(await cluster.ok(asAdmin(['acl', 'add', principal, 'produce', `topic:${topic}`]))).toContain(`granted ${principal} produce on topic:${topic}`);
    await waitFor(async () => (await cluster.run(['--api-key', created.key, 'produce', topic, '-k', 'k', 'v'])).code === 0, {
      what: 'the ACL to apply',
    });
  });

  it('keys list shows ids and principals, never keys', async () => {
    const principal = uniqueName('lister');
    const created = await cluster.json(asAdmin(['keys', 'create', principal]));
    const { keys } = await cluster.json(asAdmin(['keys', 'list', '--principal', principal]));
    expect(keys).toEqual([{ key_id: created.key_id, principal, created_at: created.created_at }]);
    const text = await cluster.ok(asAdmin(['keys', 'list']));
    expect(text).toMatch(/^KEY ID\s+PRINCIPAL\s+CREATED/);
    expect(text).toContain(created.key_id);
    expect(text).not.toContain(created.key);
  });

  it('keys revoke takes a key id or a principal', async () => {
    const principal = uniqueName('rev');
    const one = await cluster.json(asAdmin(['keys', 'create', principal]));
    const two = await cluster.json(asAdmin(['keys', 'create', principal]));
    expect(await cluster.json(asAdmin(['keys', 'revoke', one.key_id]))).toEqual({ principal, revoked: [one.key_id] });
    expect(await cluster.json(asAdmin(['keys', 'revoke', principal]))).toEqual({ principal, revoked: [two.key_id] });
    const none = await cluster.run(asAdmin(['keys', 'revoke', principal]));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`principal "${principal}" has no keys`);
    await waitFor(async () => (await cluster.run(['--api-key', two.key, 'topics', 'list'])).stderr.includes('not valid'), {
      what: 'the revoked key to stop working',
    });
  });

  it('acl add, list and remove, as text and JSON', async () => {
    const principal = uniqueName('reader');
    expect(await cluster.json(asAdmin(['acl', 'add', principal, 'consume', 'topic:game.*']))).toEqual({
      principal,
      operation: 'consume',
      resource: 'topic:game.*',
      added: true,
    });
    expect(await cluster.ok(asAdmin(['acl', 'add', principal, 'consume', 'topic:game.*']))).toContain('already had');
    await cluster.ok(asAdmin(['acl', 'add', principal, 'consume', 'group:game-*']));
    expect(await cluster.json(asAdmin(['acl', 'list', principal]))).toEqual({
      acls: [
        { principal, operation: 'consume', resource: 'topic:game.*' },
        { principal, operation: 'consume', resource: 'group:game-*' },
      ],
    });
    expect(await cluster.ok(asAdmin(['acl', 'list', principal]))).toMatch(/PRINCIPAL\s+OPERATION\s+RESOURCE\n.*consume\s+topic:game\.\*/);
    expect(await cluster.ok(asAdmin(['acl', 'remove', principal, 'consume', 'topic:game.*']))).toContain('removed');
    expect((await cluster.json(asAdmin(['acl', 'list', principal]))).acls).toHaveLength(1);
    const missing = await cluster.run(asAdmin(['acl', 'remove', principal, 'consume', 'topic:game.*']));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`has no ACL consume on topic:game.*`);
  });

  it('refuses a bad operation as a usage error, and a bad resource with the server’s reason', async () => {
    const usage = await cluster.run(asAdmin(['acl', 'add', 'p', 'write', 'topic:x']));
    expect(usage.code).toBe(2);
    const bad = await cluster.run(asAdmin(['acl', 'add', 'p', 'consume', 'topic:a b']));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('params.resource');
  });

  it('quotas set, list and remove', async () => {
    const principal = uniqueName('quota');
    expect(await cluster.json(asAdmin(['quotas', 'set', principal, '--requests-per-sec', '50']))).toEqual({ principal, requests_per_sec: 50 });
    expect(await cluster.ok(asAdmin(['quotas', 'set', principal, '--requests-per-sec', '50', '--produce-bytes-per-sec', '0']))).toContain(
      `quotas of ${principal}: 50 requests/s, no limit produced bytes/s`,
    );
    const { defaults, principals } = await cluster.json(asAdmin(['quotas', 'list']));
    expect(defaults).toEqual({ requests_per_sec: 0, produce_bytes_per_sec: 0 });
    expect(principals).toContainEqual({ principal, requests_per_sec: 50, produce_bytes_per_sec: 0 });
    expect(await cluster.ok(asAdmin(['quotas', 'list']))).toMatch(new RegExp(`${principal}\\s+50\\s+none`));
    expect(await cluster.ok(asAdmin(['quotas', 'remove', principal]))).toContain(`${principal} is back on the default quotas`);
    const usage = await cluster.run(asAdmin(['quotas', 'set', principal]));
    expect(usage.code).toBe(2);
  });
});
