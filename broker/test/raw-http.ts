// Bytes on a raw TCP socket, for what an HTTP client library would refuse to send: malformed request lines,
// oversized headers, bodies shorter than their Content-Length, unterminated chunked bodies.
import { connect } from 'node:net';

export interface RawAnswer {
  /** Everything the server sent before it closed the connection (or before `until` was satisfied). */
  text: string;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection. */
  closed: boolean;
}

/**
 * Sends `chunks` and collects the answer until the server closes the connection, or `timeoutMs` passes
 * (then `closed` is false). With `eachAfterAnswer`, a chunk is written only once the server has answered
 * the one before (keep-alive requests one at a time); otherwise all are written at once.
 */
export function rawExchange(
  port: number,
  chunks: Array<string | Buffer>,
  { timeoutMs = 10_000, eachAfterAnswer = false } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(received).toString('latin1'), closed));
    };
    const timer = setTimeout(finish, timeoutMs);
    const pending = [...chunks];
    socket.on('data', (data) => {
      received.push(data);
      if (eachAfterAnswer && pending.length > 0) socket.write(pending.shift()!);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => {
      while (pending.length > 0) {
        socket.write(pending.shift()!);
        if (eachAfterAnswer) break;
      }
    });
  });
}

function parse(text: string, closed: boolean): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const),
  );
  return { text, status: status === undefined ? undefined : Number(status), headers, body: end < 0 ? '' : text.slice(end + 4), closed };
}
