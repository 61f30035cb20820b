// The web console at /ui: the built pages (console/dist), the little the pages must know before their first
// call, and a read-only relay to the consumer gateway, so the pages reach both services from the origin that
// served them (no CORS on either service, and an API key typed into the page goes only to that origin).
//
//   GET /ui, /ui/*          the single-page app: a file of console/dist, else index.html (the pages' own paths)
//   GET /ui/config.json     {auth, gateway}: whether to ask for an API key; where the relay goes (null: none)
//   GET /ui/gateway/<path>  relayed to the gateway for the few describe routes the pages use, with the
//                           caller's Authorization: the gateway authorizes, as for any other client
//
// The pages are read into memory once (a few hundred KiB), so a request never touches the file system and
// no path can reach outside dist. Without a build there is no /ui at all, and the broker logs how to build it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { errorBody, errorResponses, TributaryError, UiConfig, type Config } from '@tributary/core';

export interface ConsoleOptions {
  config: Config;
  /** The built pages; by default console/dist of this repository. */
  dir?: string;
}

const defaultDir = fileURLToPath(new URL('../../console/dist', import.meta.url));

/** How long the relay waits for the gateway's answer. */
const RELAY_TIMEOUT_MS = 10_000;

/** The gateway routes the pages read, after /ui/gateway/ (path segments still percent-encoded). */
const RELAYED = [/^groups$/, /^groups\/[^/]+$/, /^topics\/[^/]+\/consumers$/, /^subscriptions\/[^/]+$/];

/** One of RELAYED, with no segment that a URL parser would resolve as "." or ".." (%2e%2e included). */
function relayed(route: string): boolean {
  const dotSegment = (segment: string) => /^(\.|%2e){1,2}$/i.test(segment);
  return RELAYED.some((pattern) => pattern.test(route)) && !route.split('/').some(dotSegment);
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

// The pages load only their own scripts and styles and call only this origin.
const pageHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface StaticFile {
  body: Buffer;
  type: string;
  /** Vite names assets by content hash: a changed file is a new name, so browsers may keep them for good. */
  immutable: boolean;
}

/** Where the relay goes: GATEWAY_URL, else the gateway on this machine, else none (gatewayPort 0). */
export function consoleGatewayUrl(config: Config): string | undefined {
  if (config.gatewayUrl) return config.gatewayUrl.replace(/\/+$/, '');
  if (config.gatewayPort === 0) return undefined;
  const scheme = config.tlsCertFile ? 'https' : 'http';
  const anyInterface = config.listenHost === '0.0.0.0' || config.listenHost === '::';
  return `${scheme}://${anyInterface ? '127.0.0.1' : config.listenHost}:${config.gatewayPort}`;
}

function readPages(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (!statSync(path).isFile()) continue;
    const name = entry.split(sep).join('/');
    files.set(name, {
      body: readFileSync(path),
      type: contentTypes[extname(name)] ?? 'application/octet-stream',
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}

export const consoleRoutes: FastifyPluginAsync<ConsoleOptions> = async (app, { config, dir = defaultDir }) => {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'the web console is not built, so /ui is not served: npm run build -w @tributary/console');
    return;
  }
  const pages = readPages(dir);
  const index = pages.get('index.html')!;
  const gateway = consoleGatewayUrl(config);
  const open = { config: { access: 'public' as const } };

  const send = (reply: FastifyReply, file: StaticFile) =>
    reply
      .headers(pageHeaders)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(file.type)
      .send(file.body);

  app.get('/ui', open, async (_request, reply) => send(reply, index));
  app.get<{ Params: { '*': string } }>('/ui/*', open, async (request, reply) => {
    const name = request.params['*'];
    const file = pages.get(name);
    if (file) return send(reply, file);
    // A missing file is a 404; any other path is one of the pages' own, which index.html routes.
    if (name.startsWith('assets/') || /\.[a-z0-9]+$/i.test(name)) {
      return reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no file ${name} in the web console`));
    }
    if (name.startsWith('gateway/')) {
      return reply.code(404).send(errorBody('ROUTE_NOT_FOUND', 'this broker knows no consumer gateway to relay to: set GATEWAY_URL'));
    }
    return send(reply, index);
  });

  app.get('/ui/config.json', { ...open, schema: { response: { 200: UiConfig, ...errorResponses } } }, async (_request, reply): Promise<UiConfig> => {
    reply.header('cache-control', 'no-store');
    return { auth: config.auth, gateway: gateway ?? null };
  });

  if (gateway === undefined) return;
  app.get('/ui/gateway/*', open, async (request, reply) => {
    const path = request.url.slice('/ui/gateway/'.length);
    const [route = ''] = path.split('?');
    if (!relayed(route)) {
      return reply
        .code(404)
        .send(errorBody('ROUTE_NOT_FOUND', `the console relays only the gateway's group, topic-consumer and subscription descriptions, not ${route}`));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.headers.authorization) headers['authorization'] = request.headers.authorization;
    let answer: Response;
    try {
      answer = await fetch(`${gateway}/${path}`, { headers, signal: AbortSignal.timeout(RELAY_TIMEOUT_MS) });
    } catch (err) {
      const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new TributaryError('GATEWAY_UNAVAILABLE', `the consumer gateway at ${gateway} did not answer (${why}); set GATEWAY_URL to where it is`);
    }
    for (const name of ['content-type', 'retry-after', 'www-authenticate']) {
      const value = answer.headers.get(name);
      if (value !== null) reply.header(name, value);
    }
    return reply.code(answer.status).send(Buffer.from(await answer.arrayBuffer()));
  });
};
