import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from './config.js';
import { createHttpServer } from './http.js';
import type { Logger } from './logger.js';

function captureLogs(): { logger: Logger; lines: () => Array<{ level: number; msg: string }> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream) as unknown as Logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

const config = (overrides: Partial<Config>) => loadConfig({}, overrides);

describe('createHttpServer', () => {
  it('warns loudly when auth is off and it listens beyond loopback', async () => {
    for (const listenHost of ['0.0.0.0', '::', '10.1.2.3']) {
      const { logger, lines } = captureLogs();
      await createHttpServer({ config: config({ listenHost }), logger }).close();
      const warnings = lines().filter((line) => line.level === 40);
      expect(warnings, listenHost).toHaveLength(1);
      expect(warnings[0]!.msg).toMatch(/AUTH is off .* anyone who can reach it can read, write and delete every topic/);
    }
  });

  it('does not warn on loopback, nor with auth on', async () => {
    for (const listenHost of ['127.0.0.1', 'localhost', '::1']) {
      const { logger, lines } = captureLogs();
      await createHttpServer({ config: config({ listenHost }), logger }).close();
      expect(lines().filter((line) => line.level === 40), listenHost).toEqual([]);
    }
  });

  it('refuses AUTH=on without the access-control stores', () => {
    const { logger } = captureLogs();
    expect(() => createHttpServer({ config: config({ auth: true }), logger })).toThrow(/AUTH=on needs/);
  });

  it('refuses a route that declares no access, so authorization cannot miss one', async () => {
    const { logger } = captureLogs();
    const app = createHttpServer({ config: config({ listenHost: '127.0.0.1' }), logger });
    expect(() => app.get('/undeclared', async () => 'x')).toThrow(/declares no config.access/);
    await app.close();
  });

  it('names an unreadable certificate file', () => {
    const { logger } = captureLogs();
    expect(() => createHttpServer({ config: config({ tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: '/nonexistent/key.pem' }), logger })).toThrow(
      /TLS_CERT_FILE cannot be read/,
    );
  });
});
