// What every command gets from the command line: the global options, clients built from them, and the
// argument parsers that turn bad input into usage errors (exit 2) before any request is sent.
import { InvalidArgumentError, type Command } from 'commander';
import { ServiceClient } from './client.js';
import { parseDuration } from './duration.js';

export interface Globals {
  broker: string;
  gateway: string;
  json: boolean;
  apiKey?: string;
  caFile?: string;
}

export interface Context extends Globals {
  brokerClient(): ServiceClient;
  gatewayClient(): ServiceClient;
}

/** The global options as seen from a subcommand's action (`this` or its last argument). */
export function contextOf(command: Command): Context {
  const globals = command.optsWithGlobals<Globals>();
  return {
    ...globals,
    json: globals.json === true,
    brokerClient: () => new ServiceClient('broker', globals.broker, { apiKey: globals.apiKey, caFile: globals.caFile }),
    gatewayClient: () => new ServiceClient('gateway', globals.gateway, { apiKey: globals.apiKey, caFile: globals.caFile }),
  };
}

export function parseServiceUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL (try http://localhost:4000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`"${text}" must be an http:// or https:// URL`);
  return text.replace(/\/+$/, '');
}

export function integerIn(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
}

export function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
