// The broker's Kafka protocol listener (KAFKA_PORT): TCP, or TLS with the services' certificate when
// TLS_CERT_FILE and TLS_KEY_FILE are set (clients then use SSL or SASL_SSL), size-prefixed frames, one request at a time per
// connection, answered in order as Kafka brokers do (a client pipelines requests and matches answers by
// correlation id, but relies on the order). The handlers (handlers.ts) do the work; this file frames,
// decodes, dispatches and encodes.
//
// The broker is stateless (docs/invariants.md I7), so every broker answers for every partition and every group: its
// Metadata names itself the leader of every partition, its FindCoordinator names itself the coordinator.
//
// Hostile input (I11): a frame larger than MAX_BODY_BYTES plus headroom, or one that does not decode, closes
// the connection (what Kafka brokers do; there is no error answer a client could match to a request it
// could not frame). A connection that pipelines more than a bounded number of requests stops being read
// until its answers are written.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tlsOptions, TributaryError, type Config, type Logger } from '@tributary/core';
import { ApiVersions, decodeRequest, encodeResponse, KafkaError, ProtocolError, type AnyMessage } from '@tributary/kafka';
import type { Handlers } from './handlers.js';
import { newSession, type KafkaAccess } from './sasl.js';

/** Room for a Produce request's own fields around MAX_BODY_BYTES of record batches. */
const FRAME_HEADROOM_BYTES = 64 * 1024;
/** Requests read ahead of the one being answered, per connection, before reading pauses. */
const MAX_QUEUED_REQUESTS = 64;
/** A connection that sends nothing for this long is closed (Kafka's connections.max.idle.ms). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export interface KafkaListenerDeps {
  config: Config;
  logger: Logger;
  handlers: Handlers;
  access: KafkaAccess;
}

export class KafkaListener {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #closing = new AbortController();
  #address: { host: string; port: number } | undefined;

  constructor(private readonly deps: KafkaListenerDeps) {
    const accept = (socket: Socket) => {
      const connection = new Connection(socket, deps, this.#closing.signal);
      this.#connections.add(connection);
      socket.once('close', () => this.#connections.delete(connection));
    };
    const { tlsCertFile, tlsKeyFile } = deps.config;
    this.#server = tlsCertFile && tlsKeyFile ? createTlsServer(tlsOptions(tlsCertFile, tlsKeyFile), accept) : createServer(accept);
    // A client that fails the TLS handshake is dropped with its socket; it is no reason to stop listening.
    this.#server.on('tlsClientError', (err: Error) => deps.logger.info({ err: err.message }, 'kafka: TLS handshake failed'));
  }

  /** The address bound (KAFKA_PORT 0 picks a free port). */
  get address(): { host: string; port: number } | undefined {
    return this.#address;
  }

  async listen(): Promise<{ host: string; port: number }> {
    const { listenHost, kafkaPort } = this.deps.config;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(kafkaPort ?? 0, listenHost, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#address = { host: listenHost, port: typeof address === 'object' && address ? address.port : (kafkaPort ?? 0) };
    return this.#address;
  }

  /** Stops accepting; waiting fetches answer with what they have; connections close once answered. */
  async close(): Promise<void> {
    this.#closing.abort();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all([...this.#connections].map((connection) => connection.drainAndClose()));
    await closed;
  }
}

class Connection {
  /** Bytes received and not yet framed, and how many are needed before framing is worth trying again. */
  #chunks: Buffer[] = [];
  #buffered = 0;
  #needed = 4;
  readonly #queue: Buffer[] = [];
  #running: Promise<void> | undefined;
  #closed = false;
  readonly #maxFrameBytes: number;
  readonly #session = newSession();

  constructor(
    private readonly socket: Socket,
    private readonly deps: KafkaListenerDeps,
    private readonly closing: AbortSignal,
  ) {
    this.#maxFrameBytes = deps.config.maxBodyBytes + FRAME_HEADROOM_BYTES;
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => this.#close());
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => this.#close());
    socket.on('close', () => (this.#closed = true));
  }

  async drainAndClose(): Promise<void> {
    this.socket.pause();
    await this.#running;
    this.#close();
  }

  #onData(chunk: Buffer): void {
    // Chunks are joined only once a whole frame (or a size prefix) is there: a large frame arriving in many
    // chunks is copied once, not once per chunk.
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return;
    let pending = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    this.#needed = 4;
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (size < 8 || size > this.#maxFrameBytes) {
        this.deps.logger.info({ size, max: this.#maxFrameBytes, remote: this.socket.remoteAddress }, 'kafka: frame size out of bounds; closing the connection');
        this.#close();
        return;
      }
      if (pending.length < 4 + size) {
        this.#needed = 4 + size;
        break;
      }
      this.#queue.push(pending.subarray(4, 4 + size));
      pending = pending.subarray(4 + size);
    }
    this.#chunks = pending.length > 0 ? [pending] : [];
    this.#buffered = pending.length;
    if (this.#queue.length >= MAX_QUEUED_REQUESTS) this.socket.pause();
    this.#kick();
  }

  /** Starts answering queued requests unless that is under way. */
  #kick(): void {
    if (this.#running || this.#queue.length === 0 || this.#closed) return;
    // Cleared in a callback, never inside #drain: a drain that ended at once would otherwise clear it before
    // this assignment, leaving a settled promise that stops every later kick (a frame split across reads
    // never got an answer).
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    for (let frame = this.#queue.shift(); frame && !this.#closed; frame = this.#queue.shift()) {
      if (this.#queue.length < MAX_QUEUED_REQUESTS / 2 && !this.closing.aborted) this.socket.resume();
      const answer = await this.#handle(frame);
      if (answer === 'close') return this.#close();
      if (answer) this.socket.write(answer);
      if (this.#session.closeAfterAnswer) {
        this.#closed = true;
        return void this.socket.end();
      }
    }
  }

  /** The encoded answer, undefined for none (Produce with acks=0), or 'close' for a request that cannot be served. */
  async #handle(frame: Buffer): Promise<Buffer | undefined | 'close'> {
    const log = this.deps.logger;
    let decoded;
    try {
      decoded = decodeRequest(frame);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      log.info({ err: err.message, remote: this.socket.remoteAddress }, 'kafka: malformed request; closing the connection');
      return 'close';
    }
    const { header } = decoded;
    if (decoded.kind === 'unsupported') {
      // A client asking for ApiVersions at a version we do not speak gets the list at v0, so it can pick one.
      if (header.apiKey === ApiVersions.apiKey) {
        return encodeResponse(ApiVersions, 0, header.correlationId, { ...this.deps.handlers.apiVersions(), errorCode: KafkaError.UNSUPPORTED_VERSION });
      }
      log.info({ apiKey: header.apiKey, apiVersion: header.apiVersion }, 'kafka: unsupported API or version; closing the connection');
      return 'close';
    }
    const message: AnyMessage = decoded.message;
    if (!this.deps.handlers.serves(header.apiKey)) {
      log.info({ api: message.name }, 'kafka: API not served; closing the connection');
      return 'close';
    }
    if (this.deps.access.required && this.#session.principal === undefined && !this.deps.handlers.servedBeforeAuthentication(header.apiKey)) {
      log.info({ api: message.name, remote: this.socket.remoteAddress }, 'kafka: request before authentication; closing the connection');
      return 'close';
    }
    try {
      const context = { version: header.apiVersion, clientId: header.clientId, signal: this.closing, session: this.#session };
      const body = await this.deps.handlers.handle(message, decoded.body, context);
      return body === undefined ? undefined : encodeResponse(message, header.apiVersion, header.correlationId, body);
    } catch (err) {
      // Handlers answer per-partition errors themselves; what reaches here has no place in the response.
      const level = err instanceof TributaryError && err.statusCode < 500 ? 'info' : 'error';
      log[level]({ err, api: message.name }, 'kafka: request failed; closing the connection');
      return 'close';
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
  }
}
