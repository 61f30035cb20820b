// The few Tributary routes the example uses, over plain HTTP like any other client: create a topic and write
// to it on the broker, join, fetch, commit and leave a consumer group on the gateway. Errors come back as
// Tributary's JSON ({statusCode, code, error, message, retriable}) and are thrown as TributaryError.
import { setTimeout as sleep } from 'node:timers/promises';

export class TributaryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface RecordToWrite {
  key: string;
  value: unknown;
  id: string;
}

export interface GroupMessage {
  topic: string;
  partition: number;
  offset: number;
  delivery_count: number;
  key: string | null;
  value: unknown;
}

export interface MemberView {
  member_id: string;
  generation: number;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupDescription {
  members: Array<{ member_id: string; name: string; expires_in_ms: number; assignment: Array<{ topic: string; partitions: number[] }> }>;
  partitions: Array<{
    topic: string;
    partition: number;
    /** Where rendezvous hashing puts it, and who holds it now (they differ while it moves). */
    assigned_to: string | null;
    holder: string | null;
    committed_offset: number | null;
    high_watermark: number;
    lag: number;
  }>;
  lag: number;
}

export class Tributary {
  constructor(
    readonly brokerUrl: string,
    readonly gatewayUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** Creates the topic; one that already exists is fine (whatever its partition count). */
  async ensureTopic(topic: string, partitions: number): Promise<void> {
    try {
      await this.call('POST', `${this.brokerUrl}/create_topic/${topic}/${partitions}`);
    } catch (err) {
      if (!(err instanceof TributaryError && err.code === 'TOPIC_EXISTS')) throw err;
    }
  }

  /** One batch; records with an id are stored once however often the batch is retried. */
  async write(topic: string, records: RecordToWrite[]): Promise<void> {
    await this.call('POST', `${this.brokerUrl}/write/${topic}`, { records });
  }

  async join(group: string, body: { topics: string[]; member: string; session_timeout_ms: number; from: 'earliest' | 'latest' }): Promise<MemberView> {
    return this.call('POST', `${this.gatewayUrl}/groups/${group}/members`, body);
  }

  async fetch(group: string, member: string, max: number, waitMs: number): Promise<{ messages: GroupMessage[] }> {
    return this.call('GET', `${this.gatewayUrl}/groups/${group}/members/${member}/records?max=${max}&wait_ms=${waitMs}`);
  }

  async commit(group: string, member: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/groups/${group}/members/${member}/commit`, { offsets });
  }

  /** Keeps the session alive and answers the member's current assignment. */
  async heartbeat(group: string, member: string): Promise<MemberView> {
    return this.call('POST', `${this.gatewayUrl}/groups/${group}/members/${member}/heartbeat`);
  }

  async leave(group: string, member: string): Promise<void> {
    await this.call('DELETE', `${this.gatewayUrl}/groups/${group}/members/${member}`);
  }

  async describeGroup(group: string): Promise<GroupDescription> {
    return this.call('GET', `${this.gatewayUrl}/groups/${group}`);
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    let answer: any;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!response.ok) {
      const retriable = answer?.retriable === true || response.status >= 500;
      throw new TributaryError(response.status, answer?.code ?? 'HTTP_ERROR', answer?.message ?? `${method} ${url}: ${response.status} ${text.slice(0, 200)}`, retriable);
    }
    return answer as T;
  }
}

/** Whether trying again later may work: Tributary says so, or the request never got an answer. */
export function isRetriable(err: unknown): boolean {
  return err instanceof TributaryError ? err.retriable : err instanceof TypeError; // fetch's "fetch failed"
}

/** Runs `attempt` until it succeeds or fails with something retrying cannot fix, backing off up to 2 s. */
export async function retrying<T>(attempt: () => Promise<T>, onRetry: (err: unknown) => void, stopped: () => boolean = () => false): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetriable(err) || stopped()) throw err;
      onRetry(err);
      await sleep(delay);
    }
  }
}
