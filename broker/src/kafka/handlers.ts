// The table of Kafka APIs the listener serves: each message of @tributary/kafka that has a handler here is
// advertised in ApiVersions at the versions the codec implements, and nothing else is.
import { ApiVersions, SaslAuthenticate, SaslHandshake, type AnyMessage, type Message, type RequestOf, type ResponseOf } from '@tributary/kafka';
import type { Session } from './sasl.js';

export interface RequestContext {
  version: number;
  clientId: string | null;
  /** Aborted when the listener closes: a waiting Fetch answers with what it has. */
  signal: AbortSignal;
  /** The connection's authentication, which SaslAuthenticate sets and every other API checks. */
  session: Session;
}

/** What a connection may ask before it has authenticated. */
const BEFORE_AUTHENTICATION = new Set([ApiVersions.apiKey, SaslHandshake.apiKey, SaslAuthenticate.apiKey]);

/** Answers the response body, or undefined for a request that gets no answer (Produce with acks=0). */
export type Handler<M> = (body: RequestOf<M>, context: RequestContext) => Promise<ResponseOf<M> | undefined> | ResponseOf<M> | undefined;

export class Handlers {
  readonly #table = new Map<number, { message: AnyMessage; handler: Handler<AnyMessage> }>();

  constructor() {
    this.on(ApiVersions, () => this.apiVersions());
  }

  on<M extends Message<any, any>>(message: M, handler: Handler<M>): this {
    this.#table.set(message.apiKey, { message, handler: handler as Handler<AnyMessage> });
    return this;
  }

  apiVersions(): ResponseOf<typeof ApiVersions> {
    const apiKeys = [...this.#table.values()]
      .map(({ message }) => ({ apiKey: message.apiKey, minVersion: message.minVersion, maxVersion: message.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
  }

  async handle(message: AnyMessage, body: unknown, context: RequestContext): Promise<unknown> {
    const entry = this.#table.get(message.apiKey);
    if (!entry) throw new Error(`no handler for ${message.name}`);
    return entry.handler(body, context);
  }

  /** Whether the API is served at all (the codec knows more than the listener may serve). */
  serves(apiKey: number): boolean {
    return this.#table.has(apiKey);
  }

  /** Whether a connection that has not authenticated may ask for this API. */
  servedBeforeAuthentication(apiKey: number): boolean {
    return BEFORE_AUTHENTICATION.has(apiKey);
  }
}
