// `tributary up` (the stack of npm start) and security: with auth off its services listen on 127.0.0.1 only;
// with AUTH=on and a certificate they listen on every interface, speak HTTPS and need a key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@tributary/local-stack';
import { uniqueName } from '@tributary/testkit';
import { spawnTributary, tributary, type Child } from './harness.js';
import { makeTestCertificate } from './tls-cert.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-up-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function up(env: Record<string, string>): Promise<{ child: Child; brokerPort: number; gatewayPort: number }> {
  const [brokerPort, gatewayPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawnTributary(['up'], {
    TRIBUTARY_DATA: join(dir, uniqueName('data')),
    BROKER_PORT: String(brokerPort),
    GATEWAY_PORT: String(gatewayPort),
    REDIS_PORT: String(redisPort),
    ZOOKEEPER_HOST: inject('zookeeperHost'),
    ZOOKEEPER_ROOT: `/${uniqueName('up')}`,
    ...env,
  });
  await child.waitForOutput('the quick start', (c) => c.stderr.includes('Tributary is up.'), 60_000);
  return { child, brokerPort, gatewayPort };
}

async function stop(child: Child) {
  child.process.kill('SIGINT');
  expect((await child.exited).code).toBe(0);
}

describe('tributary up', () => {
  it('listens on 127.0.0.1 only with auth off, without the warning', async () => {
    const { child, brokerPort, gatewayPort } = await up({});
    try {
      expect(child.stdout).toContain(`Server listening at http://127.0.0.1:${brokerPort}`);
      expect(child.stdout).toContain(`Server listening at http://127.0.0.1:${gatewayPort}`);
      expect(child.stdout).not.toContain('AUTH is off');
    } finally {
      await stop(child);
    }
  });

  it('warns loudly when told to listen on every interface with auth off', async () => {
    const { child } = await up({ LISTEN_HOST: '0.0.0.0' });
    try {
      expect(child.stdout).toMatch(/\[broker\] .*AUTH is off and this service listens on 0\.0\.0\.0/);
      expect(child.stdout).toMatch(/\[gateway\] .*AUTH is off and this service listens on 0\.0\.0\.0/);
    } finally {
      await stop(child);
    }
  });

  it('with AUTH=on and a certificate: every interface, HTTPS, and only a key gets in', async () => {
    const cert = makeTestCertificate();
    const adminKey = `up-admin-${uniqueName('k')}`;
    try {
      const { child, brokerPort } = await up({ AUTH: 'on', TRIBUTARY_ADMIN_KEY: adminKey, TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
      try {
        expect(child.stderr).toContain(`https://localhost:${brokerPort}`);
        expect(child.stdout).toMatch(/Server listening at https:\/\/(0\.0\.0\.0|\[::\]|[\d.]+):\d+/);
        const broker = ['--broker', `https://localhost:${brokerPort}`, '--ca-file', cert.certFile];
        const refused = await tributary([...broker, 'topics', 'list']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('needs an API key');
        expect((await tributary([...broker, '--api-key', adminKey, 'topics', 'list'])).code).toBe(0);
      } finally {
        await stop(child);
      }
    } finally {
      cert.remove();
    }
  });
});
