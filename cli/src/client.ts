// A small HTTP+JSON client for the broker and the gateway. Every way a request can fail becomes a CliError
// with one line fit for a terminal: the server's own message when it answered, or what went wrong on the
// way (naming the URL tried) when it did not.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ErrorAnswer } from '@tributary/core';
import { CliError } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Overrides the client's timeout, e.g. for long polls that the server holds open on purpose. */
  timeoutMs?: number;
  /** Cancels the request (Ctrl-C): it then rejects with an AbortError, not a CliError. */
  signal?: AbortSignal;
}


export const DEFAULT_TIMEOUT_MS = 15_000;

export interface ClientOptions {
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer <apiKey>` (services with AUTH=on). */
  apiKey?: string | undefined;
  /** A PEM file of certificate authorities to trust for https:// URLs, besides the system's. */
  caFile?: string | undefined;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export class ServiceClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #fetch: Fetch;

  constructor(
    /** "broker" or "gateway", for messages. */
    readonly service: string,
    baseUrl: string,
    { timeoutMs = DEFAULT_TIMEOUT_MS, apiKey, caFile }: ClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
    this.#headers = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    this.#fetch = caFile ? fetchTrusting(caFile) : fetch;
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /** Resolves with the body of a 2xx answer; rejects with a CliError otherwise. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.exchange<T>(method, path, options)).body;
  }

  /** Like request(), with the status too (201 created vs 200 already there). */
  async exchange<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const response = await this.send(method, path, options);
    const body = await this.#json(response, options.signal);
    if (!response.ok) {
      // Anything may answer a non-2xx (a proxy too): read the error body's fields only if they are there.
      const error = body as Partial<ErrorAnswer> | undefined;
      const message =
        typeof error?.message === 'string' && error.message
          ? error.message
          : `the ${this.service} at ${this.baseUrl} answered ${response.status} ${response.statusText}`;
      throw new CliError(message, undefined, error?.code);
    }
    return { status: response.status, body: body as T };
  }

  /** The raw answer, whatever its status; only failures to get one are thrown. */
  async send(method: string, path: string, { body, query, timeoutMs = this.#timeoutMs, signal }: RequestOptions = {}): Promise<Response> {
    const url = this.baseUrl + path + queryString(query);
    try {
      return await this.#fetch(url, {
        method,
        headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new CliError(`the ${this.service} at ${this.baseUrl} did not answer within ${timeoutMs / 1000} s`);
      }
      throw new CliError(`cannot reach the ${this.service} at ${this.baseUrl}: ${networkProblem(err)}`);
    }
  }

  async #json(response: Response, signal: AbortSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new CliError(`the ${this.service} at ${this.baseUrl} closed the connection before its answer was complete`);
    }
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      // Not a Tributary service (a proxy's error page, a wrong URL): say so rather than show its HTML.
      if (response.ok) throw new CliError(`the ${this.service} at ${this.baseUrl} answered with something that is not JSON`);
      return undefined;
    }
  }
}

/**
 * fetch that also trusts the CAs in `caFile` (undici, the library behind Node's own fetch, at the version
 * Node 20 bundles: Node's fetch takes no CA option of its own).
 */
function fetchTrusting(caFile: string): Fetch {
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
  } catch (err) {
    throw new CliError(`cannot read --ca-file ${caFile}: ${(err as Error).message}`);
  }
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, ca.toString('utf8')] } });
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}

/** `/topics/a b` → `/topics/a%20b`: user input is always one path segment. */
export function path(strings: TemplateStringsArray, ...segments: Array<string | number>): string {
  return strings.reduce((out, text, i) => out + text + (i < segments.length ? encodeURIComponent(String(segments[i])) : ''), '');
}

function queryString(query: Query | undefined): string {
  const entries = Object.entries(query ?? {}).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([name, value]): [string, string] => [name, String(value)]))}`;
}

/** fetch() reports network failures as TypeError("fetch failed") with the system error as its cause. */
function networkProblem(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as (Error & { code?: string }) | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before an answer came';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `its TLS certificate is not trusted (${cause.code}); pass the CA that signed it with --ca-file`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its TLS certificate does not name this host';
  }
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
