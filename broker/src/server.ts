// The broker's one entry point: load config, connect, build, listen, and stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from '@tributary/core';
import { createBroker } from './broker.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const broker = await createBroker(config);
  const { port } = await broker.listen();
  broker.app.log.info({ port, redis: `${config.redisHost}:${config.redisPort}`, zookeeper: config.zookeeperHost }, 'broker listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    broker.app.log.info({ signal }, 'broker stopping');
    await broker.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `broker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
