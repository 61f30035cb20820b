// Hostile bytes (invariant I11, docs/invariants.md): whatever a client sends, decoding answers or throws ProtocolError, never
// another error, and never reads past the frame. Inputs are the golden frames of real clients, mutated.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, decodeRecordBatches, decodeRequest, encodeRecordBatch, ProtocolError } from '../src/index.js';

const frames = ['kafkajs', 'kcat'].flatMap((client) =>
  readFileSync(new URL(`./golden/${client}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => Buffer.from((JSON.parse(line) as { request: string }).request, 'hex').subarray(4)),
);

/** A frame with some bytes overwritten, cut short, or grown by random bytes. */
const mutated = (sources: readonly Buffer[]) =>
  fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([source, writes, cut, tail]) => {
      const bytes = Buffer.from(source);
      for (const [at, value] of writes) bytes[at % bytes.length] = value;
      return Buffer.concat([cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)), tail]);
    });

const onlyProtocolErrors = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
  }
};

describe('the codec under mutated input', () => {
  it('decodes a request or refuses it with ProtocolError', () => {
    fc.assert(fc.property(mutated(frames), (frame) => onlyProtocolErrors(() => decodeRequest(frame))), { numRuns: 3000 });
  });

  it('decodes record batches or refuses them with ProtocolError, gzip included', () => {
    const records = [0, 1, 2].map((i) => ({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`{"v":${i}}`), headers: [{ key: 'h', value: Buffer.from('v') }] }));
    const batches = (['none', 'gzip'] as const).map((compression) => encodeRecordBatch({ baseOffset: 0, baseTimestamp: 1, records, compression }));
    // Half the time the CRC is made right again, so the mutation reaches the records behind it.
    const withCrc = (bytes: Buffer, fix: boolean) => {
      if (fix && bytes.length >= 21) bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17);
      return bytes;
    };
    fc.assert(
      fc.property(mutated(batches), fc.boolean(), (bytes, fix) =>
        onlyProtocolErrors(() => decodeRecordBatches(withCrc(bytes, fix), { maxUncompressedBytes: 1 << 16 })),
      ),
      { numRuns: 3000 },
    );
  });
});
