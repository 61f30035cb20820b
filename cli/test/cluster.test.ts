import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tributary/local-stack';
import { Cluster, tributary } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await Cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

describe('tributary cluster', () => {
  it('shows the registered brokers, alive, the controller with its epoch, and each service’s readiness', async () => {
    const info = await cluster.json(['cluster']);
    const id = info.this_broker.id;
    expect(info.brokers).toEqual([
      {
        id,
        host: '127.0.0.1',
        port: Number(new URL(cluster.brokerUrl).port),
        started_at: expect.any(String),
        version: expect.any(String),
        last_seen: expect.any(String),
        alive: true,
      },
    ]);
    expect(info.controller).toEqual({ broker_id: id, epoch: cluster.broker.controller.epoch, elected_at: expect.any(String) });
    expect(info.redis.state).toBe('ready');
    expect(info.zookeeper).toMatchObject({ state: 'ready', root: expect.stringMatching(/^\/cli-/) });
    expect(info.broker).toEqual({ url: cluster.brokerUrl, status: 'ready', redis: 'ready', zookeeper: 'ready' });
    expect(info.gateway).toEqual({ url: cluster.gatewayUrl, status: 'ready', redis: 'ready', zookeeper: 'ready' });

    const text = await cluster.ok(['cluster']);
    expect(text).toMatch(new RegExp(`^${id}\\s+127\\.0\\.0\\.1:\\d+(\\s+\\S+){3}\\s+yes\\s+yes$`, 'm'));
    expect(text).toMatch(new RegExp(`^controller\\s+${id} \\(epoch ${info.controller.epoch}, elected `, 'm'));
    expect(text).toMatch(new RegExp(`^broker\\s+${cluster.brokerUrl}\\s+ready\\s+ready\\s+ready$`, 'm'));
    expect(text).toMatch(new RegExp(`^gateway\\s+${cluster.gatewayUrl}\\s+ready\\s+ready\\s+ready$`, 'm'));
  });

  it('reports an unreachable gateway and exits 1', async () => {
    const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
    const human = await tributary(['--broker', cluster.brokerUrl, '--gateway', gatewayUrl, 'cluster']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`^gateway\\s+${gatewayUrl}\\s+unreachable`, 'm'));
    expect(human.stdout).toContain(`gateway: cannot reach the gateway at ${gatewayUrl}: connection refused`);
    expect(human.stderr).toBe('error: not healthy: gateway unreachable\n');

    const json = await tributary(['--json', '--broker', cluster.brokerUrl, '--gateway', gatewayUrl, 'cluster']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).gateway).toEqual({
      url: gatewayUrl,
      status: 'unreachable',
      message: `cannot reach the gateway at ${gatewayUrl}: connection refused`,
    });
  });
});

describe('a service that is down', () => {
  it.each([
    ['broker', ['topics', 'list']],
    ['broker', ['topics', 'create', 'x', '-p', '1']],
    ['broker', ['produce', 'x', 'v']],
    ['broker', ['cluster']],
    ['gateway', ['subscriptions', 'a@example.com']],
    ['gateway', ['consume', 'x', '--email', 'a@example.com', '--key', 'k']],
  ])('gives one line naming the %s URL tried (%j), exit 1', async (service, args) => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const json of [[], ['--json']]) {
      const result = await tributary([...json, `--${service}`, url, ...args]);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `error: cannot reach the ${service} at ${url}: connection refused\n` });
    }
  });

  it('takes the URLs from TRIBUTARY_BROKER and TRIBUTARY_GATEWAY, and the flags over them', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const viaEnv = await tributary(['subscriptions', 'a@example.com'], { env: { TRIBUTARY_BROKER: down, TRIBUTARY_GATEWAY: down } });
    expect(viaEnv.stderr).toBe(`error: cannot reach the gateway at ${down}: connection refused\n`);
    const env = { TRIBUTARY_BROKER: cluster.brokerUrl, TRIBUTARY_GATEWAY: cluster.gatewayUrl };
    expect((await tributary(['--json', 'cluster'], { env })).code).toBe(0);
    expect((await tributary(['--broker', down, 'topics', 'list'], { env })).stderr).toContain(`cannot reach the broker at ${down}`);
  });

  it('defaults to http://localhost:4000 and http://localhost:5000', async () => {
    const help = await tributary(['--help']);
    expect(help.stdout).toMatch(/--broker <url>\s+broker URL \(default:\s+"http:\/\/localhost:4000", env:\s+TRIBUTARY_BROKER\)/);
    expect(help.stdout).toMatch(/--gateway <url>\s+consumer gateway URL \(default:\s+"http:\/\/localhost:5000", env:\s+TRIBUTARY_GATEWAY\)/);
  });

  it('a URL that is not a Tributary service gets one line too, not its error page', async () => {
    const server = createServer((request, response) => {
      const ok = request.url === '/topics';
      response.writeHead(ok ? 200 : 502, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await tributary(['--broker', url, 'topics', 'list'])).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: the broker at ${url} answered with something that is not JSON\n`,
      });
      expect(await tributary(['--broker', url, 'topics', 'describe', 'x'])).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: the broker at ${url} answered 502 Bad Gateway\n`,
      });
    } finally {
      server.close();
    }
  });
});
