// The audit must see every kind of damage it reports, or a clean fault run means nothing. Each test breaks a
// consistent account (ledger, log, readers) in one way and checks that exactly that count moves.
import { describe, expect, it } from 'vitest';
import { audit, type AuditInput, type Counts } from './audit.js';
import type { Delivery } from './consumer.js';
import type { ProducedRecord } from './ledger.js';
import type { StoredPartition } from './log-readback.js';

const PARTITIONS = 2;
const partitionOf = (key: string) => (key.endsWith('1') ? 1 : 0);

/** Two keys, three acked records each, stored where acked, each delivered once and read back once. */
function consistent(): AuditInput & { records: ProducedRecord[]; stored: StoredPartition[]; consumed: Delivery[]; readBack: Delivery[] } {
  const records: ProducedRecord[] = [];
  const stored: StoredPartition[] = Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, logStart: 0, next: 0, entries: [], holes: 0, extra: 0 }));
  for (const key of ['k0', 'k1']) {
    for (let seq = 0; seq < 3; seq++) {
      const partition = stored[partitionOf(key)]!;
      const offset = partition.next++;
      const id = `${key}-${seq}`;
      partition.entries.push({ offset, id });
      records.push({ id, producer: 0, key, seq, firstSentAt: 0, attempts: 1, ambiguous: false, outcome: 'acked', ack: { partition: partition.partition, offset, duplicate: false, at: 1 } });
    }
  }
  const deliveries = stored.flatMap((p) => p.entries.map(({ offset, id }) => ({ partition: p.partition, offset, id })));
  return { records, partitionOf, stored, consumed: [...deliveries], readBack: [...deliveries], idLookups: new Map() };
}

const violations = (counts: Counts) => ({
  lost: counts.lost,
  duplicates: counts.duplicates,
  gaps: counts.gaps,
  misplaced: counts.misplaced,
  order: counts.order,
  undelivered: counts.undelivered,
  phantom: counts.phantom,
});
const none = { lost: 0, duplicates: 0, gaps: 0, misplaced: 0, order: 0, undelivered: 0, phantom: 0 };

describe('audit', () => {
  it('finds nothing wrong in a consistent account', () => {
    const { counts } = audit(consistent());
    expect(violations(counts)).toEqual(none);
    expect(counts).toMatchObject({ attempted: 6, acked: 6, failed: 0, unknown: 0 });
  });

  it('counts an acked record missing from the log as lost (and the hole it leaves as a gap)', () => {
    const input = consistent();
    input.stored[0]!.entries.pop();
    input.stored[0]!.holes = 1;
    input.readBack.splice(input.readBack.findIndex((d) => d.id === 'k0-2'), 1);
    expect(violations(audit(input).counts)).toEqual({ ...none, lost: 1, gaps: 1 });
  });

  it('counts a second copy of an id as a duplicate', () => {
    const input = consistent();
    const p = input.stored[0]!;
    p.entries.push({ offset: p.next, id: 'k0-1' });
    input.readBack.push({ partition: 0, offset: p.next++, id: 'k0-1' });
    expect(violations(audit(input).counts)).toEqual({ ...none, duplicates: 1 });
  });

  it('counts offsets the read-back skips or repeats as gaps', () => {
    const input = consistent();
    input.readBack.push({ ...input.readBack[0]! });
    input.readBack.splice(2, 1);
    expect(violations(audit(input).counts)).toEqual({ ...none, gaps: 2 });
  });

  it('counts an ack that names another offset than the log holds the record at as misplaced', () => {
    const input = consistent();
    input.records[1]!.ack!.offset = 7;
    expect(violations(audit(input).counts)).toEqual({ ...none, misplaced: 1 });
  });

  it('counts a reader given another record than the log holds at that offset as misplaced', () => {
    const input = consistent();
    input.consumed.push({ ...input.consumed[0]!, id: 'k0-2' });
    expect(violations(audit(input).counts)).toEqual({ ...none, misplaced: 1 });
  });

  it('counts acked records of one key stored out of sequence as order violations', () => {
    const input = consistent();
    const entries = input.stored[1]!.entries;
    [entries[0]!.id, entries[1]!.id] = [entries[1]!.id, entries[0]!.id];
    const [first, second] = input.records.filter((r) => r.key === 'k1');
    [first!.ack!.offset, second!.ack!.offset] = [second!.ack!.offset, first!.ack!.offset];
    for (const list of [input.consumed, input.readBack]) {
      for (const d of list) if (d.partition === 1 && d.offset < 2) d.id = entries[d.offset]!.id;
    }
    expect(violations(audit(input).counts)).toEqual({ ...none, order: 1 });
  });

  it('counts an acked record the consumer never received as undelivered', () => {
    const input = consistent();
    input.consumed.pop();
    expect(violations(audit(input).counts)).toEqual({ ...none, undelivered: 1 });
  });

  it('counts a stored record whose write definitely failed, or that nobody wrote, as phantom', () => {
    const input = consistent();
    const failed = input.records.find((r) => r.id === 'k0-2')!;
    failed.outcome = 'failed';
    delete failed.ack;
    input.consumed.splice(input.consumed.findIndex((d) => d.id === 'k0-2'), 1);
    const p = input.stored[1]!;
    p.entries.push({ offset: p.next, id: undefined });
    input.readBack.push({ partition: 1, offset: p.next++, id: undefined });
    expect(violations(audit(input).counts)).toEqual({ ...none, phantom: 2 });
  });

  it('counts a retry acked as duplicate after answers that said nothing was stored as phantom', () => {
    const input = consistent();
    const record = input.records[0]!;
    Object.assign(record, { attempts: 2, lastFailure: '503 REDIS_UNAVAILABLE' });
    record.ack!.duplicate = true;
    expect(violations(audit(input).counts)).toEqual({ ...none, phantom: 1 });
    record.ambiguous = true;
    expect(violations(audit(input).counts)).toEqual(none);
  });

  it('accepts an unknown outcome stored once or not at all, and checks its id lookup against the log', () => {
    const input = consistent();
    const unknown = input.records.find((r) => r.id === 'k1-2')!;
    unknown.outcome = 'unknown';
    delete unknown.ack;
    input.consumed.splice(input.consumed.findIndex((d) => d.id === 'k1-2'), 1);
    const { counts } = audit(input);
    expect(violations(counts)).toEqual(none);
    expect(counts).toMatchObject({ unknown: 1, unknownStored: 1 });

    input.idLookups = new Map([['k1-2', null]]);
    expect(violations(audit(input).counts)).toEqual({ ...none, misplaced: 1 });
  });
});
