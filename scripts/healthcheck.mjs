#!/usr/bin/env node
// The containers' health check (Dockerfile HEALTHCHECK, docker-compose.yml): exits 0 when the service's
// /readyz answers 200 ("ready" or "degraded"), 1 otherwise. Plain Node, since the slim image has no curl.
//
//   node scripts/healthcheck.mjs [url]      default http://127.0.0.1:$BROKER_PORT/readyz (4000)
//
// /readyz is open with AUTH=on too, so the check needs no key. A self-signed TLS certificate (TLS_CERT_FILE)
// is accepted: the check asks whether the service answers, not who it is.
import { request as http } from 'node:http';
import { request as https } from 'node:https';

const url = new URL(process.argv[2] ?? `http://127.0.0.1:${process.env.BROKER_PORT || 4000}/readyz`);
const send = url.protocol === 'https:' ? https : http;
const req = send(url, { timeout: 2_000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`${url}: ${err.message}`);
  process.exit(1);
});
req.end();
