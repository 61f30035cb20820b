// A ceiling on the bytes of large request bodies being received at once. Each body is bounded
// (MAX_BODY_BYTES), but a thousand connections each sending one would make a broker hold gigabytes, and
// parsing them all at once multiplies that. So a request declaring a large body (over 64 KiB, or chunked, which
// counts as the largest allowed) takes its size from a budget before its body is read, and waits, unread, while
// the budget is spent: Node stops reading a socket whose request nobody reads (TCP pushes back on the client),
// and the request timeout still bounds the wait (408). Smaller bodies never wait: they are the hot path, and
// their memory is bounded by the connection count times 64 KiB.
//
// Exposed as metrics (tributary_body_bytes_in_flight, tributary_bodies_waiting) so an operator sees the wait.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import type { ServiceMetrics } from './metrics.js';

/** Bodies up to this size are not counted. */
export const LARGE_BODY_BYTES = 64 * 1024;

interface Waiter {
  bytes: number;
  admit: () => void;
}

/** The bytes a request's body may take: its Content-Length, or the largest allowed when it does not say. */
function declaredBodyBytes(request: FastifyRequest, maxBodyBytes: number): number {
  const length = request.headers['content-length'];
  if (length !== undefined) return Math.min(Number(length) || 0, maxBodyBytes);
  return request.headers['transfer-encoding'] === undefined ? 0 : maxBodyBytes;
}

export function boundBodiesInFlight(app: FastifyInstance, config: Pick<Config, 'maxBodyBytes' | 'maxBodyBytesInFlight'>, metrics?: ServiceMetrics): void {
  let inFlight = 0;
  const waiting: Waiter[] = [];
  const admitWaiting = () => {
    while (waiting.length > 0 && inFlight + waiting[0]!.bytes <= config.maxBodyBytesInFlight) {
      const next = waiting.shift()!;
      inFlight += next.bytes;
      next.admit();
    }
  };
  metrics?.gauge('tributary_body_bytes_in_flight', 'Bytes of large request bodies being received or handled now (MAX_BODY_BYTES_IN_FLIGHT caps it)', [], (gauge) => gauge.set(inFlight));
  metrics?.gauge('tributary_bodies_waiting', 'Requests with a large body waiting, unread, for room under MAX_BODY_BYTES_IN_FLIGHT', [], (gauge) => gauge.set(waiting.length));

  app.addHook('onRequest', (request, reply, done) => {
    const bytes = declaredBodyBytes(request, config.maxBodyBytes);
    if (bytes <= LARGE_BODY_BYTES) return done();
    let admitted = false;
    // The bytes go back when the answer is sent or the connection closes, whichever comes first.
    reply.raw.once('close', () => {
      if (admitted) {
        inFlight -= bytes;
        admitWaiting();
      } else {
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
      }
    });
    const waiter: Waiter = {
      bytes,
      admit: () => {
        admitted = true;
        done();
      },
    };
    if (waiting.length === 0 && inFlight + bytes <= config.maxBodyBytesInFlight) {
      inFlight += bytes;
      admitted = true;
      return done();
    }
    waiting.push(waiter);
  });
}
