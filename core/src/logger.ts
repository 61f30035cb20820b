import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** One structured (JSON) logger per process; components take it (or a child) as a dependency. */
export function createLogger(config: Config, service: string): Logger {
  return pino({ level: config.logLevel, base: { service, instance: config.instanceId } });
}
