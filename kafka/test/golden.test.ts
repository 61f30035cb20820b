// Golden bytes from real clients: every request kafkajs 2.2.4 and kcat 1.7.1 (librdkafka 2.0.2) sent to the
// listener while producing (plain and gzip, with headers, idempotent), consuming (alone and in a group),
// administering topics, and authenticating with SASL/PLAIN (with a throwaway key, golden-capture-only-key),
// with the listener's answers, captured by kafka/scripts/capture-golden.mjs.
// Each request decodes as the version it names, and encodes back to exactly the bytes the client sent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches, decodeRequest, decodeResponse, encodeRequest, encodeResponse, Produce, ApiVersions, messageFor, SaslAuthenticate, type RecordBatch } from '../src/index.js';

interface Captured {
  client: string;
  apiKey: number;
  apiVersion: number;
  request: string;
  response: string;
}

const load = (client: string): Captured[] =>
  readFileSync(new URL(`./golden/${client}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Captured);

const captured = [...load('kafkajs'), ...load('kcat')];
const label = (c: Captured) => `${c.client} ${messageFor(c.apiKey)?.name ?? c.apiKey} v${c.apiVersion} (${c.request.length / 2} bytes)`;

describe.each(captured.map((c) => [label(c), c] as const))('%s', (_label, c) => {
  const frame = Buffer.from(c.request, 'hex');
  const message = messageFor(c.apiKey)!;

  it('decodes and encodes back to the bytes the client sent', () => {
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded.kind).toBe('request');
    if (decoded.kind !== 'request') return;
    expect(decoded.header).toMatchObject({ apiKey: c.apiKey, apiVersion: c.apiVersion });
    expect(encodeRequest(message, decoded.header, decoded.body).toString('hex')).toBe(c.request);
  });

  it("the listener's answer decodes and encodes back", () => {
    const answer = Buffer.from(c.response, 'hex');
    const { correlationId, body } = decodeResponse(message, c.apiVersion, answer.subarray(4));
    expect(correlationId).toBe(frame.readInt32BE(8));
    expect(encodeResponse(message, c.apiVersion, correlationId, body).toString('hex')).toBe(c.response);
  });
});

const batchesOf = (c: Captured): RecordBatch[] => {
  const decoded = decodeRequest(Buffer.from(c.request, 'hex').subarray(4));
  if (decoded.kind !== 'request') throw new Error('not a request');
  const body = decoded.body as ReturnType<typeof Produce.request.read>;
  return body.topicData.flatMap((t) => t.partitionData.flatMap((p) => decodeRecordBatches(p.records!, { maxUncompressedBytes: 1 << 20 })));
};

describe("the clients' record batches", () => {
  const produced = (client: string) => captured.filter((c) => c.client === client && c.apiKey === Produce.apiKey).flatMap(batchesOf);

  it.each(['kafkajs', 'kcat'])('%s: keys, values and headers, plain and gzip', (client) => {
    const batches = produced(client);
    expect(batches.map((b) => b.compression).sort()).toEqual(['gzip', 'none']);
    const records = batches.flatMap((b) => b.records.map((r) => [r.key?.toString(), r.value?.toString(), r.headers.map((h) => `${h.key}=${h.value}`)]));
    expect(records).toContainEqual(['k1', '{"a":1}', ['trace=t1']]);
    const zipped = batches.find((b) => b.compression === 'gzip')!.records;
    expect(zipped.map((r) => [r.key?.toString(), r.value?.toString().slice(0, 6)])).toEqual([['k3', 'zipped']]);
  });

  it("kafkajs' idempotent batches carry a producer id and sequences from 0", () => {
    const batches = produced('kafkajs');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.producerId >= 0 && b.producerEpoch === 0 && b.baseSequence >= 0)).toBe(true);
  });
});

describe('ApiVersions', () => {
  it('librdkafka asks at v3 (flexible) and names itself in tagged-field-era fields', () => {
    const c = captured.find((x) => x.client === 'kcat' && x.apiKey === ApiVersions.apiKey && x.apiVersion === 3)!;
    const decoded = decodeRequest(Buffer.from(c.request, 'hex').subarray(4));
    expect(decoded.kind === 'request' && decoded.body).toMatchObject({ clientSoftwareName: 'librdkafka' });
  });
});

describe('SASL/PLAIN', () => {
  it.each(['kafkajs', 'kcat'])('%s sends its PLAIN token in SaslAuthenticate', (client) => {
    const c = captured.find((x) => x.client === client && x.apiKey === SaslAuthenticate.apiKey)!;
    const decoded = decodeRequest(Buffer.from(c.request, 'hex').subarray(4));
    expect(decoded.kind === 'request' && (decoded.body as { authBytes: Buffer }).authBytes.toString()).toBe('\0admin\0golden-capture-only-key');
  });
});
