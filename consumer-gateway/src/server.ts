// The consumer gateway's one entry point: load config, connect, build, listen, and stop cleanly on
// SIGINT/SIGTERM.
import { ConfigError, loadConfig } from '@tributary/core';
import { createGateway } from './gateway.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const gateway = await createGateway(config);
  const { port } = await gateway.listen();
  gateway.app.log.info(
    { port, redis: `${config.redisHost}:${config.redisPort}`, zookeeper: config.zookeeperHost },
    'consumer gateway listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.app.log.info({ signal }, 'consumer gateway stopping');
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(
    err instanceof ConfigError ? err.message : `consumer gateway failed to start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
