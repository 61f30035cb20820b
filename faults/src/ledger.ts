// What the producers know about every record they tried to write: the ledger the read-back is checked
// against. A record ends in one of three outcomes:
//   acked    some attempt was answered with its partition and offset (a 2xx, or a stored result of a
//            PARTIAL_WRITE): it must be stored exactly once, there;
//   failed   every attempt was answered "not stored" (a 4xx, or a 503 whose code says nothing ran, or the
//            connection was refused): it must not be stored at all;
//   unknown  some attempt's outcome was unknown (WRITE_OUTCOME_UNKNOWN, a broken connection, a deadline)
//            and no retry was acked before the retries ran out: stored once or not at all are both right,
//            twice is a duplicate.
// A record answered 503 once and acked on a retry is acked: the id makes the retry safe.

export interface Ack {
  partition: number;
  offset: number;
  /** The broker said the id was already stored: the answer names the first copy. */
  duplicate: boolean;
  /** ms since the scenario's load started. */
  at: number;
}

export type Outcome = 'pending' | 'acked' | 'failed' | 'unknown';

export interface ProducedRecord {
  /** Idempotency id, also carried in the value so a read-back can name the record. */
  readonly id: string;
  readonly producer: number;
  readonly key: string;
  /** Position in its key's sequence: per key, acked records must be stored in this order. */
  readonly seq: number;
  /** ms since load start, of the first attempt. */
  firstSentAt: number;
  attempts: number;
  /** Some attempt may have stored it without saying so. */
  ambiguous: boolean;
  /** The last answer that was not an ack: a code, "refused" or "broken". */
  lastFailure?: string;
  ack?: Ack;
  outcome: Outcome;
}

/** The JSON value each record carries. */
export interface RecordValue {
  id: string;
  producer: number;
  seq: number;
}

export function isRecordValue(value: unknown): value is RecordValue {
  return typeof value === 'object' && value !== null && typeof (value as RecordValue).id === 'string';
}

export class Ledger {
  readonly records = new Map<string, ProducedRecord>();

  add(record: ProducedRecord): void {
    this.records.set(record.id, record);
  }

  get(id: string): ProducedRecord | undefined {
    return this.records.get(id);
  }

  count(outcome: Outcome): number {
    let n = 0;
    for (const record of this.records.values()) if (record.outcome === outcome) n++;
    return n;
  }
}
