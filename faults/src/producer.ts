// Producers: each writes its own keys, with a sequence number per key in the value and an idempotency id per
// record, one request at a time (so per key at most one record is in flight, and a record is acked before
// the next of its key is sent). A single producer sends one record per request; a batch producer one record
// of each of its keys per request, so a batch spans partitions and can be answered PARTIAL_WRITE.
//
// A write that fails retriably is retried with the same ids, on the other broker, with exponential backoff,
// until it is acked or the attempts or the time budget run out. Only the records a PARTIAL_WRITE did not
// store are sent again.
import { setTimeout as sleep } from 'node:timers/promises';
import { call, errorBodyCode, type Answers, type HttpResult } from './http.js';
import type { Ledger, ProducedRecord, RecordValue } from './ledger.js';
import type { Timeline } from './timeline.js';

export interface ProducerSettings {
  kind: 'single' | 'batch';
  keys: number;
  /** Pause after each request's records are settled. */
  paceMs: number;
  /** Bound on the records one producer makes in a scenario. */
  maxRecords: number;
  /** Client-side deadline of one request: past it the outcome is unknown. */
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Retries stop once this long has passed since a request's first attempt. */
  retryBudgetMs: number;
}

export interface WriteTarget {
  brokers: readonly string[];
  topic: string;
  partitions: number;
  /** Prefixes every record id: ids never repeat across scenarios and runs. */
  idPrefix: string;
}

// 503 codes that say nothing was stored: the request was refused before anything ran.
const NOTHING_STORED = new Set(['REDIS_UNAVAILABLE', 'PARTITION_BUSY', 'NOT_READY', 'ZOOKEEPER_UNAVAILABLE']);

type RecordAnswer =
  | { kind: 'stored'; partition: number; offset: number; duplicate: boolean }
  | { kind: 'not-stored' | 'unknown'; label: string; retriable: boolean };

export class Producer {
  readonly #keys: string[];
  readonly #seqs: number[];
  #nextKey = 0;
  #made = 0;
  #broker: number;

  constructor(
    readonly index: number,
    private readonly target: WriteTarget,
    private readonly settings: ProducerSettings,
    private readonly ledger: Ledger,
    private readonly timeline: Timeline,
    /** Every answer a write got ("200", "503 WRITE_OUTCOME_UNKNOWN", "refused", ...). */
    private readonly answers: Answers,
  ) {
    this.#keys = Array.from({ length: settings.keys }, (_, k) => `p${index}-k${k}`);
    this.#seqs = this.#keys.map(() => 0);
    this.#broker = index % target.brokers.length;
  }

  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted && this.#made < this.settings.maxRecords) {
      await this.#send(this.#nextRecords());
      await sleep(this.settings.paceMs);
    }
  }

  #nextRecords(): ProducedRecord[] {
    const keys = this.settings.kind === 'single' ? [this.#nextKey++ % this.#keys.length] : this.#keys.map((_, k) => k);
    return keys.map((k) => {
      const record: ProducedRecord = {
        id: `${this.target.idPrefix}-${this.index}-${this.#made++}`,
        producer: this.index,
        key: this.#keys[k]!,
        seq: this.#seqs[k]!++,
        firstSentAt: this.timeline.now(),
        attempts: 0,
        ambiguous: false,
        outcome: 'pending',
      };
      this.ledger.add(record);
      return record;
    });
  }

  async #send(records: ProducedRecord[]): Promise<void> {
    const { brokers, topic } = this.target;
    const startedAt = this.timeline.now();
    let pending = records;
    for (let attempt = 1; ; attempt++) {
      const body = this.settings.kind === 'single' ? wire(pending[0]!) : { records: pending.map(wire) };
      for (const record of pending) record.attempts++;
      const result = await call('POST', `${brokers[this.#broker]}/write/${topic}`, body, this.settings.requestTimeoutMs);
      const now = this.timeline.now();
      this.answers.add(result);

      const answers = recordAnswers(result, pending.length);
      const retry: ProducedRecord[] = [];
      pending.forEach((record, i) => {
        const answer = answers[i]!;
        if (answer.kind === 'stored') {
          record.ack = { partition: answer.partition, offset: answer.offset, duplicate: answer.duplicate, at: now };
          record.outcome = 'acked';
          this.timeline.ackLatencies.push({ sentAt: record.firstSentAt, ms: now - record.firstSentAt });
          return;
        }
        record.lastFailure = answer.label;
        if (answer.kind === 'unknown') record.ambiguous = true;
        if (answer.retriable) retry.push(record);
        else settleUnacked(record);
      });
      if (answers.some((answer) => answer.kind === 'stored')) this.timeline.writeOks.push(now);

      pending = retry;
      if (pending.length === 0) return;
      if (attempt >= this.settings.maxAttempts || now - startedAt > this.settings.retryBudgetMs) {
        pending.forEach(settleUnacked);
        return;
      }
      // Whatever went wrong may be this broker's: a client with two addresses tries the other.
      this.#broker = (this.#broker + 1) % brokers.length;
      await sleep(Math.min(1_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
    }
  }
}

function wire(record: ProducedRecord): { key: string; value: RecordValue; id: string } {
  return { key: record.key, value: { id: record.id, producer: record.producer, seq: record.seq }, id: record.id };
}

function settleUnacked(record: ProducedRecord): void {
  record.outcome = record.ambiguous ? 'unknown' : 'failed';
}

/** What one write answer says about each of the `count` records it carried, in request order. */
function recordAnswers(result: HttpResult, count: number): RecordAnswer[] {
  const all = (answer: RecordAnswer) => Array.from({ length: count }, () => answer);
  if (result.kind === 'refused') return all({ kind: 'not-stored', label: 'refused', retriable: true });
  if (result.kind === 'broken') return all({ kind: 'unknown', label: `broken (${result.reason})`, retriable: true });

  const body = result.body as { results?: unknown[]; retriable?: unknown } | undefined;
  const code = errorBodyCode(body);
  if (result.status === 200 || (result.status === 503 && code === 'PARTIAL_WRITE')) {
    const outcomes = Array.isArray(body?.results) ? body.results : result.status === 200 && count === 1 ? [body] : [];
    if (outcomes.length !== count) return all({ kind: 'unknown', label: `${result.status} malformed`, retriable: true });
    return outcomes.map((outcome) => {
      const o = outcome as { partition?: unknown; offset?: unknown; duplicate?: unknown; code?: unknown; retriable?: unknown };
      if (typeof o.offset === 'number' && typeof o.partition === 'number') {
        return { kind: 'stored', partition: o.partition, offset: o.offset, duplicate: o.duplicate === true };
      }
      return classify(typeof o.code === 'string' ? o.code : undefined, 503, o.retriable);
    });
  }
  return all(classify(code, result.status, body?.retriable));
}

function classify(code: string | undefined, status: number, retriable: unknown): RecordAnswer {
  const label = code ? `${status} ${code}` : String(status);
  if (status >= 400 && status < 500) return { kind: 'not-stored', label, retriable: false };
  if (code !== undefined && NOTHING_STORED.has(code)) return { kind: 'not-stored', label, retriable: true };
  // WRITE_OUTCOME_UNKNOWN, or a 5xx that does not say: the record may be stored. A retry with its id is safe
  // unless the server said not to retry.
  return { kind: 'unknown', label, retriable: retriable !== false };
}

