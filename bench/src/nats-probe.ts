// The NATS JetStream publisher, its own process (a peer in the single-record write scenario): keeps `inFlight`
// JetStream publishes outstanding on one connection, each a single message of the same bytes as Tributary's
// single-record body, and times each from publish to the stream's acknowledgement (the message is stored).
// Creates the file-storage stream on first use. wrk cannot speak NATS, so this plays its part: closed loop,
// `inFlight` like wrk's connections.
//
//   node nats-probe.js '{"servers":"127.0.0.1:4222","stream":"BENCH","subject":"bench.single","inFlight":32,"durationS":8,"payload":"…"}'
//
// Prints one line: NATS_RESULT <json>.
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { max, percentile } from './stats.js';

interface ProbeOptions {
  servers: string;
  stream: string;
  subject: string;
  inFlight: number;
  durationS: number;
  payload: string;
}

export interface NatsProbeResult {
  durationS: number;
  /** Publishes acknowledged by the stream. */
  acked: number;
  failed: number;
  ackedPerSecond: number;
  /** Publish → acknowledgement, ms. */
  latencyMs: { p50: number; p99: number; max: number };
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;
const nc = await connect({ servers: options.servers });
const jsm = await jetstreamManager(nc);
// Adding a stream that exists with the same configuration is a no-op.
await jsm.streams.add({ name: options.stream, subjects: [`${options.stream.toLowerCase()}.>`], storage: StorageType.File });
const js = jetstream(nc);
const payload = new TextEncoder().encode(options.payload);

const latencies: number[] = [];
let failed = 0;
const started = performance.now();
const until = started + options.durationS * 1000;
await Promise.all(
  Array.from({ length: options.inFlight }, async () => {
    while (performance.now() < until) {
      const sentAt = performance.now();
      try {
        await js.publish(options.subject, payload);
        latencies.push(performance.now() - sentAt);
      } catch {
        failed++;
      }
    }
  }),
);
const durationS = (performance.now() - started) / 1000;
await nc.close();
const result: NatsProbeResult = {
  durationS,
  acked: latencies.length,
  failed,
  ackedPerSecond: latencies.length / durationS,
  latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: max(latencies) },
};
process.stdout.write(`NATS_RESULT ${JSON.stringify(result)}\n`);
