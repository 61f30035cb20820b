#!/usr/bin/env node
// Captures golden bytes: a TCP proxy between Kafka clients and a Kafka listener that records every request
// frame a client sends (and the answer), one JSON line each, for kafka/test/golden.test.ts.
//
//   KAFKA_PORT=19092 KAFKA_ADVERTISED_PORT=19093 <a broker>      (clients must come back through the proxy)
//   node kafka/scripts/capture-golden.mjs --listen 19093 --target 127.0.0.1:19092 --client kcat --out kafka/test/golden/kcat.jsonl
//   kcat -b 127.0.0.1:19093 -L ...; kafkajs with brokers ['127.0.0.1:19093'] ...
//
// A frame is an int32 size and the bytes after it; requests and answers on one connection are in order.
import { appendFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string' }, target: { type: 'string' }, client: { type: 'string' }, out: { type: 'string' } } });
const [targetHost, targetPort] = values.target.split(':');

/** Calls `onFrame` with each complete frame (size prefix included) read from `socket`. */
function frames(socket, onFrame) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  });
}

createServer((client) => {
  const upstream = createConnection(Number(targetPort), targetHost);
  const asked = new Map();
  frames(client, (frame) => {
    const request = { apiKey: frame.readInt16BE(4), apiVersion: frame.readInt16BE(6), correlationId: frame.readInt32BE(8), request: frame.toString('hex') };
    asked.set(request.correlationId, request);
    upstream.write(frame);
  });
  frames(upstream, (frame) => {
    const request = asked.get(frame.readInt32BE(4));
    if (request) appendFileSync(values.out, `${JSON.stringify({ client: values.client, ...request, response: frame.toString('hex') })}\n`);
    client.write(frame);
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(Number(values.listen), '127.0.0.1');
