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
