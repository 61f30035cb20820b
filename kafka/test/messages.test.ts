// Every message at every version it implements: a sample request and response encode, decode to what the
// version carries, and encode again to the same bytes.
import { describe, expect, it } from 'vitest';
import { contextFor, decodeRequest, decodeResponse, encodeRequest, encodeResponse, messages } from '../src/index.js';
import { seeded } from './random.js';

const SAMPLES_PER_VERSION = 25;

describe.each(messages.map((m) => [m.name, m] as const))('%s', (_name, message) => {
  const versions = Array.from({ length: message.maxVersion - message.minVersion + 1 }, (_, i) => message.minVersion + i);

  it.each(versions)('requests round-trip at v%i', (version) => {
    const context = contextFor(message, version);
    for (let seed = 0; seed < SAMPLES_PER_VERSION; seed++) {
      const body = message.request.sample(seeded(seed * 100 + version), context);
      const frame = encodeRequest(message, { apiVersion: version, correlationId: seed, clientId: seed % 3 === 0 ? null : 'client-1' }, body);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeRequest(frame.subarray(4));
      expect(decoded.kind).toBe('request');
      if (decoded.kind !== 'request') return;
      expect(decoded.header).toEqual({ apiKey: message.apiKey, apiVersion: version, correlationId: seed, clientId: seed % 3 === 0 ? null : 'client-1' });
      expect(decoded.body).toEqual(message.request.project(body, context));
      const again = encodeRequest(message, { apiVersion: version, correlationId: seed, clientId: decoded.header.clientId }, decoded.body);
      expect(again.equals(frame)).toBe(true);
    }
  });

  it.each(versions)('responses round-trip at v%i', (version) => {
    const context = contextFor(message, version);
    for (let seed = 0; seed < SAMPLES_PER_VERSION; seed++) {
      const body = message.response.sample(seeded(seed * 100 + version + 50), context);
      const frame = encodeResponse(message, version, seed, body);
      const decoded = decodeResponse(message, version, frame.subarray(4));
      expect(decoded.correlationId).toBe(seed);
      expect(decoded.body).toEqual(message.response.project(body, context));
      expect(encodeResponse(message, version, seed, decoded.body).equals(frame)).toBe(true);
    }
  });

  it('refuses versions it does not implement, reading only the fixed header', () => {
    const frame = encodeRequest(message, { apiVersion: message.minVersion, correlationId: 7, clientId: 'c' }, message.request.empty);
    frame.writeInt16BE(message.maxVersion + 1, 6);
    expect(decodeRequest(frame.subarray(4))).toMatchObject({ kind: 'unsupported', header: { apiKey: message.apiKey, apiVersion: message.maxVersion + 1, correlationId: 7 } });
  });
});

describe('API keys', () => {
  it('are unique', () => {
    expect(new Set(messages.map((m) => m.apiKey)).size).toBe(messages.length);
  });
});
