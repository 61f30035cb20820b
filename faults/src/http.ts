// HTTP as the suite's clients see it: every call has a deadline, and a call that got no answer says whether
// the request can have reached the server. That difference decides whether a write is known not to have
// happened (the connection was refused) or may have happened (the connection broke, or the deadline passed
// after the request was sent).
import { setTimeout as sleep } from 'node:timers/promises';

export type HttpResult =
  | { kind: 'answer'; status: number; body: unknown }
  /** Nothing listened: the request never reached a server. */
  | { kind: 'refused' }
  /** The connection broke or the deadline passed: the server may have acted on the request. */
  | { kind: 'broken'; reason: string };

export async function call(method: 'GET' | 'POST', url: string, body: unknown, timeoutMs: number): Promise<HttpResult> {
  try {
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return { kind: 'answer', status: response.status, body: parseJson(text) };
  } catch (err) {
    if (errorCode(err) === 'ECONNREFUSED') return { kind: 'refused' };
    return { kind: 'broken', reason: errorCode(err) ?? (err instanceof Error ? err.name : 'error') };
  }
}

/** The `code` of an answer's error body, or what stood for an answer: "refused", "broken", "200". */
export function resultLabel(result: HttpResult): string {
  if (result.kind !== 'answer') return result.kind;
  const code = errorBodyCode(result.body);
  return code ? `${result.status} ${code}` : String(result.status);
}

/**
 * How often each kind of answer came, by label, and the first body of each error answer that carries no
 * `code`: every Tributary error should (its documented error body), so those are worth showing.
 */
export class Answers {
  readonly counts = new Map<string, number>();
  readonly uncoded = new Map<string, string>();

  add(result: HttpResult, prefix = ''): void {
    const label = `${prefix}${resultLabel(result)}`;
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    if (result.kind === 'answer' && result.status >= 400 && errorBodyCode(result.body) === undefined && !this.uncoded.has(label)) {
      this.uncoded.set(label, (typeof result.body === 'string' ? result.body : JSON.stringify(result.body) ?? '').slice(0, 300));
    }
  }
}

export function errorBodyCode(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string'
    ? (body as { code: string }).code
    : undefined;
}

/** Calls until a 2xx answer, for setting up a scenario; throws with the last answer after `timeoutMs`. */
export async function callUntilOk(method: 'GET' | 'POST', url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await call(method, url, body, Math.max(1_000, deadline - Date.now()));
    if (result.kind === 'answer' && result.status < 300) return result.body;
    if (Date.now() > deadline) {
      const detail = result.kind === 'answer' ? JSON.stringify(result.body)?.slice(0, 300) : result.kind;
      throw new Error(`${method} ${url} did not succeed within ${timeoutMs} ms: ${resultLabel(result)} ${detail ?? ''}`);
    }
    await sleep(100);
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/** undici wraps socket errors: the code is on the error or on its cause. */
function errorCode(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
