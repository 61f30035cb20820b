// The checks after a scenario: the producers' ledger against the log read straight from Redis, and both
// against what the readers got through the gateway. Pure: everything it needs is passed in.
import type { Delivery } from './consumer.js';
import type { ProducedRecord } from './ledger.js';
import type { StoredPartition } from './log-readback.js';

export interface AuditInput {
  records: Iterable<ProducedRecord>;
  /** The partition Kafka's partitioner picks for a key. */
  partitionOf(key: string): number;
  stored: readonly StoredPartition[];
  /** What the at-least-once consumer received during the scenario. */
  consumed: readonly Delivery[];
  /** What a fresh subscriber read through the gateway after it. */
  readBack: readonly Delivery[];
  /** GET /topics/:t/ids/:id for records whose outcome stayed unknown: where it went, or null for 404. */
  idLookups: ReadonlyMap<string, Position | null>;
}

export interface Position {
  partition: number;
  offset: number;
}

export interface Counts {
  attempted: number;
  acked: number;
  failed: number;
  unknown: number;
  /** Acked, and not in the log. */
  lost: number;
  /** Copies of a record id beyond the first. */
  duplicates: number;
  /** Offsets the log lacks or holds twice, and offsets the read-back skipped or repeated. */
  gaps: number;
  /** Acked records not at their acked position; records a reader got at another offset than the log holds. */
  misplaced: number;
  /** Pairs of consecutive acked records of one key stored out of order. */
  order: number;
  /** Acked records the at-least-once consumer never received. */
  undelivered: number;
  /**
   * Records in the log whose write definitely failed, records nobody wrote, and acks of a retry answering
   * `duplicate: true` when every earlier attempt was answered "not stored".
   */
  phantom: number;
  /** Unknown outcomes that turned out stored (once): fine, reported for information. */
  unknownStored: number;
  /** Records the at-least-once consumer received more than once: allowed, reported for information. */
  redelivered: number;
  /** Acks of a retry that found its id already stored (`duplicate: true`): the dedup at work. */
  acksAsDuplicate: number;
}

/** The counts that must be zero. */
export const VIOLATIONS = ['lost', 'duplicates', 'gaps', 'misplaced', 'order', 'undelivered', 'phantom'] as const;
export type Violation = (typeof VIOLATIONS)[number];

export interface Audit {
  counts: Counts;
  /** A few instances of each violation, for the report. */
  examples: Record<Violation, string[]>;
}

const EXAMPLES = 5;
const at = ({ partition, offset }: Position) => `p${partition}@${offset}`;

export function audit(input: AuditInput): Audit {
  const counts: Counts = {
    attempted: 0, acked: 0, failed: 0, unknown: 0, lost: 0, duplicates: 0, gaps: 0, misplaced: 0, order: 0,
    undelivered: 0, phantom: 0, unknownStored: 0, redelivered: 0, acksAsDuplicate: 0,
  };
  const examples = Object.fromEntries(VIOLATIONS.map((name) => [name, []])) as unknown as Record<Violation, string[]>;
  const flag = (kind: Violation, example: string, n = 1) => {
    counts[kind] += n;
    if (examples[kind].length < EXAMPLES) examples[kind].push(example);
  };

  const log = new Map<string, string | undefined>(); // "p@o" -> id
  const copies = new Map<string, Position[]>();
  for (const partition of input.stored) {
    if (partition.holes > 0) flag('gaps', `p${partition.partition}: ${partition.holes} offsets below next=${partition.next} have no entry`, partition.holes);
    if (partition.extra > 0) flag('gaps', `p${partition.partition}: ${partition.extra} entries past next=${partition.next}`, partition.extra);
    for (const { offset, id } of partition.entries) {
      const position = { partition: partition.partition, offset };
      log.set(at(position), id);
      if (id === undefined) flag('phantom', `${at(position)} holds a record the suite did not write`);
      else if (copies.has(id)) copies.get(id)!.push(position);
      else copies.set(id, [position]);
    }
  }
  for (const [id, positions] of copies) {
    if (positions.length > 1) flag('duplicates', `${id} stored ${positions.length} times: ${positions.map(at).join(', ')}`, positions.length - 1);
  }

  const byKey = new Map<string, ProducedRecord[]>();
  const delivered = new Set(input.consumed.map((delivery) => delivery.id));
  for (const record of input.records) {
    counts.attempted++;
    const stored = copies.get(record.id) ?? [];
    if (record.outcome === 'failed') {
      counts.failed++;
      if (stored.length > 0) flag('phantom', `${record.id} failed (${record.lastFailure}) yet is stored at ${stored.map(at).join(', ')}`);
      continue;
    }
    if (record.outcome !== 'acked' || !record.ack) {
      counts.unknown++;
      if (stored.length === 1) counts.unknownStored++;
      checkLookup(record, stored, input.idLookups, flag);
      continue;
    }
    counts.acked++;
    const ack = record.ack;
    if (ack.duplicate) counts.acksAsDuplicate++;
    // Every earlier answer said "not stored" (or there was none), yet the id was already stored.
    if (ack.duplicate && !record.ambiguous) {
      flag('phantom', `${record.id} acked as duplicate after ${record.attempts - 1} attempts all answered not stored (last: ${record.lastFailure ?? 'none'})`);
    }
    const described = `${record.id} (key ${record.key} seq ${record.seq}) acked ${at(ack)}${ack.duplicate ? ' as duplicate' : ''}`;
    if (stored.length === 0) flag('lost', `${described}, not in the log`);
    else if (!stored.some((position) => position.partition === ack.partition && position.offset === ack.offset)) {
      flag('misplaced', `${described}, stored at ${stored.map(at).join(', ')}`);
    } else if (ack.partition !== input.partitionOf(record.key)) {
      flag('misplaced', `${described}, but the key's partition is ${input.partitionOf(record.key)}`);
    }
    if (!delivered.has(record.id)) flag('undelivered', `${described}, never delivered to the consumer`);
    if (byKey.has(record.key)) byKey.get(record.key)!.push(record);
    else byKey.set(record.key, [record]);
  }

  for (const records of byKey.values()) {
    records.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < records.length; i++) {
      const [a, b] = [records[i - 1]!, records[i]!];
      const [pa, pb] = [storedAt(a, copies), storedAt(b, copies)];
      if (!pa || !pb) continue;
      if (pa.partition !== pb.partition || pb.offset <= pa.offset) {
        flag('order', `key ${a.key}: seq ${a.seq} at ${at(pa)}, seq ${b.seq} at ${at(pb)}`);
      }
    }
  }

  checkReaders(input, log, flag);
  counts.redelivered = input.consumed.length - new Set(input.consumed.map(at)).size;
  return { counts, examples };
}

/** Where a record is in the log: at its acked position if a copy is there, else its first copy. */
function storedAt(record: ProducedRecord, copies: Map<string, Position[]>): Position | undefined {
  const stored = copies.get(record.id) ?? [];
  const ack = record.ack;
  return stored.find((p) => ack && p.partition === ack.partition && p.offset === ack.offset) ?? stored[0];
}

/** The id lookup of an unknown record must agree with the log while the id is in its dedup window. */
function checkLookup(
  record: ProducedRecord,
  stored: Position[],
  lookups: ReadonlyMap<string, Position | null>,
  flag: (kind: Violation, example: string) => void,
): void {
  const found = lookups.get(record.id);
  if (found === undefined) return;
  if (found === null && stored.length > 0) flag('misplaced', `GET ids/${record.id} answered 404, but it is stored at ${stored.map(at).join(', ')}`);
  if (found && !stored.some((p) => p.partition === found.partition && p.offset === found.offset)) {
    flag('misplaced', `GET ids/${record.id} answered ${at(found)}, but the log has it at ${stored.map(at).join(', ') || 'no offset'}`);
  }
}

/**
 * Readers must get what the log holds at each offset. The fresh read-back must see every offset of the log
 * exactly once, in order, and nothing else.
 */
function checkReaders(input: AuditInput, log: Map<string, string | undefined>, flag: (kind: Violation, example: string, n?: number) => void): void {
  const mismatched = new Set<string>();
  for (const delivery of [...input.consumed, ...input.readBack]) {
    const position = at(delivery);
    if (log.has(position) && log.get(position) !== delivery.id && !mismatched.has(position)) {
      mismatched.add(position);
      flag('misplaced', `a reader got ${delivery.id ?? 'a foreign record'} at ${position}, where the log holds ${log.get(position) ?? 'a foreign record'}`);
    }
  }

  const readCounts = new Map<string, number>();
  for (const delivery of input.readBack) readCounts.set(at(delivery), (readCounts.get(at(delivery)) ?? 0) + 1);
  for (const partition of input.stored) {
    for (const { offset } of partition.entries) {
      const position = at({ partition: partition.partition, offset });
      const times = readCounts.get(position) ?? 0;
      if (times !== 1) flag('gaps', `the read-back got ${position} ${times} times`, Math.abs(times - 1));
      readCounts.delete(position);
    }
  }
  for (const [position, times] of readCounts) flag('gaps', `the read-back got ${position}, which the log does not hold`, times);
}
