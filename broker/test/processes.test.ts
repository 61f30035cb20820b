// Several broker processes behind one port (node broker/dist/processes.js N, as `tributary up --brokers N`
// runs it): each registers as a broker, connections are spread over them, writes through any of them land in
// one log, and SIGTERM stops them all with exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, uniqueName, waitFor } from '@tributary/testkit';

const listening: Array<{ instance: string; port: number }> = [];
let child: ChildProcess;

beforeAll(() => {
  const config = testConfig();
  const script = fileURLToPath(new URL('../dist/processes.js', import.meta.url));
  child = spawn(process.execPath, [script, '2'], {
    env: {
      PATH: process.env['PATH'],
      ...(config.redisClusterNodes
        ? { REDIS_CLUSTER_NODES: config.redisClusterNodes.join(',') }
        : { REDIS_HOST: config.redisHost, REDIS_PORT: String(config.redisPort) }),
      ZOOKEEPER_HOST: config.zookeeperHost,
      ZOOKEEPER_ROOT: config.zookeeperRoot,
      BROKER_PORT: '0',
      LISTEN_HOST: '127.0.0.1',
      ADVERTISED_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const entry = JSON.parse(line) as { msg?: string; port?: number; instance?: string };
    if (entry.msg === 'broker listening') listening.push({ instance: entry.instance!, port: entry.port! });
  });
});

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** A request on a connection of its own, so that the primary hands each to the next process. */
function request(method: string, url: string, body?: object): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe('broker processes', () => {
  it('two processes share one port, both registered, both answering, and one log behind them', async () => {
    await waitFor(() => listening.length === 2, { timeoutMs: 30_000, what: 'both processes listening' });
    const [first, second] = listening;
    expect(first!.port).toBe(second!.port);
    expect(first!.instance).not.toBe(second!.instance);
    const url = `http://127.0.0.1:${first!.port}`;
    await waitFor(
      async () => {
        const cluster = await request('GET', `${url}/cluster`);
        return cluster.json.brokers.filter((b: { alive: boolean }) => b.alive).length === 2;
      },
      { what: 'both registered' },
    );

    const topic = uniqueName('procs');
    expect((await request('POST', `${url}/create_topic/${topic}/1`)).status).toBe(201);
    const answered = new Set<string>();
    const offsets: number[] = [];
    for (let i = 0; i < 20; i++) {
      const cluster = await request('GET', `${url}/cluster`);
      answered.add(cluster.json.this_broker.id);
    }
    const writes = await Promise.all(Array.from({ length: 40 }, (_, i) => request('POST', `${url}/write/${topic}`, { key: 'k', value: i })));
    for (const write of writes) {
      expect(write.status).toBe(200);
      offsets.push(write.json.offset);
    }
    expect(answered).toEqual(new Set(listening.map((l) => l.instance)));
    expect(offsets.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('SIGTERM stops every process and the primary exits 0', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    await expect(request('GET', `http://127.0.0.1:${listening[0]!.port}/readyz`)).rejects.toThrow();
  });
});
