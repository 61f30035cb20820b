// Settings from the environment, checked once at start: a typo in RATE should stop the process with a
// message, not run it at NaN events per second. And the entry points' common beginning and ending.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tributary } from './tributary.js';

export function text(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Where Tributary is: BROKER_URL, GATEWAY_URL and (with AUTH=on) TRIBUTARY_API_KEY. */
export function tributaryEndpoints(): { brokerUrl: string; gatewayUrl: string; apiKey: string | undefined } {
  return {
    brokerUrl: text('BROKER_URL', 'http://localhost:4000'),
    gatewayUrl: text('GATEWAY_URL', 'http://localhost:5000'),
    apiKey: process.env['TRIBUTARY_API_KEY'] || undefined,
  };
}

/** A client for the Tributary of BROKER_URL, GATEWAY_URL and TRIBUTARY_API_KEY. */
export function tributaryFromEnv(): Tributary {
  const { brokerUrl, gatewayUrl, apiKey } = tributaryEndpoints();
  return new Tributary(brokerUrl, gatewayUrl, apiKey);
}

/** Runs `main` and exits 1 with its message if it throws: the entry points' common ending. */
export function run(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

/** True when the module at `moduleUrl` is the script node was started with (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false; // not a file: node -e, a REPL
  }
}
