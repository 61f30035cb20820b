import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the original system variable names, with local defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      zookeeperHost: '127.0.0.1:2181',
      redisHost: '127.0.0.1',
      redisPort: 6379,
      brokerPort: 4000,
      gatewayPort: 5000,
    });
    const custom = loadConfig({ ZOOKEEPER_HOST: 'zk1:2181,zk2:2181', REDIS_HOST: 'redis', REDIS_PORT: '6380', BROKER_PORT: '4100' });
    expect(custom).toMatchObject({ zookeeperHost: 'zk1:2181,zk2:2181', redisHost: 'redis', redisPort: 6380, brokerPort: 4100 });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('names every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_PORT: 'seventy', BROKER_PORT: '70000', ZOOKEEPER_HOST: 'no-port', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('REDIS_PORT must be an integer from 1 to 65535, got "seventy"');
    expect(message).toContain('BROKER_PORT must be an integer from 0 to 65535, got "70000"');
    expect(message).toContain('ZOOKEEPER_HOST must be host:port[,host:port...], got "no-port"');
    expect(message).toContain('LOG_LEVEL must be a pino level');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_PORT: '' }).redisPort).toBe(6379);
  });
});

describe('loadConfig: security settings', () => {
  it('has auth off by default and reads AUTH, TRIBUTARY_ADMIN_KEY and the TLS files', () => {
    expect(loadConfig({})).toMatchObject({ auth: false, adminKey: undefined, tlsCertFile: undefined, tlsKeyFile: undefined });
    const on = loadConfig({ AUTH: 'on', TRIBUTARY_ADMIN_KEY: 'a-long-enough-secret', TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' });
    expect(on).toMatchObject({ auth: true, adminKey: 'a-long-enough-secret', tlsCertFile: '/c.pem', tlsKeyFile: '/k.pem' });
  });

  it('refuses a short admin key without echoing it, a bad AUTH, one TLS file alone, and headers timing out after the request', () => {
    let message = '';
    try {
      loadConfig({ AUTH: 'maybe', TRIBUTARY_ADMIN_KEY: 'short', TLS_CERT_FILE: '/c.pem', HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('AUTH must be on or off, got "maybe"');
    expect(message).toContain('TRIBUTARY_ADMIN_KEY must be 16 to 256 printable ASCII characters');
    expect(message).not.toContain('"short"');
    expect(message).toContain('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
    expect(message).toContain('HEADERS_TIMEOUT_MS must not be more than REQUEST_TIMEOUT_MS');
  });

  it('refuses room for bodies in flight smaller than one largest body', () => {
    expect(() => loadConfig({ MAX_BODY_BYTES: '2000000', MAX_BODY_BYTES_IN_FLIGHT: '1000000' })).toThrow(/MAX_BODY_BYTES_IN_FLIGHT must be at least MAX_BODY_BYTES/);
    expect(loadConfig({}).maxBodyBytesInFlight).toBe(16 * 1024 * 1024);
  });

  it('has the documented limits by default', () => {
    expect(loadConfig({})).toMatchObject({
      maxBodyBytes: 4 * 1024 * 1024,
      maxControlBodyBytes: 64 * 1024,
      maxJsonDepth: 64,
      maxJsonElements: 250_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      quotaRequestsPerSec: 1_000,
      quotaProduceBytesPerSec: 10 * 1024 * 1024,
    });
  });
});
