// The Tributary routes the examples use, over plain HTTP like any other client: topics, writes, record ids,
// stats and replays on the broker; consumer groups (join, fetch, commit, nack, heartbeat, leave, describe)
// and email subscriptions (subscribe, read) on the gateway. Tributary's errors ({statusCode, code, error,
// message, retriable}) are thrown as TributaryError, with the body as it came, so a service can hand a
// client's mistake back unchanged. A request that gets no answer rejects with fetch's own TypeError ("fetch
// failed"): isRetriable counts it as worth another try. Only the answers' fields the examples read are
// typed here; Tributary's OpenAPI document (GET /docs/json) has all of them.
import { setTimeout as sleep } from 'node:timers/promises';

export class TributaryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Tributary says trying again may work (or answered 5xx). */
    readonly retriable: boolean,
    /** The answer's JSON body, when it had one. */
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface RecordToWrite {
  key: string;
  value: unknown;
  /** Makes a retried write safe: the broker stores an id once within the topic's dedup window. */
  id: string;
}

export interface WriteResult {
  partition: number;
  offset: number;
  timestamp: number;
  /** The id was written before (within the topic's dedup window): this is where the first one went. */
  duplicate?: boolean;
}

export interface RecordIdLocation {
  topic: string;
  id: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** GET /stats: cluster-wide, cached by Tributary for a second. */
export interface ClusterStats {
  published_total: number;
  consumed_total: number;
  published_per_second: number;
  consumed_per_second: number;
  topics: number;
  active_topics: number;
  partitions: number;
  records_stored: number;
  subscriptions: { emails: number; groups: number };
  measured_at: string;
}

/** A replay and its progress. */
export interface ReplayAnswer {
  replay_id: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  progress: { records_total: number; scanned: number; matched: number; written: number; percent: number };
  [field: string]: unknown;
}

/** Joining a group: by a list of topics or by a topic pattern, with retries and dead letters if wanted. */
export interface JoinRequest {
  topics?: string[];
  pattern?: string;
  member: string;
  session_timeout_ms: number;
  from: 'earliest' | 'latest';
  max_deliveries?: number;
  retry_delay_ms?: number;
  dead_letter_topic?: string;
}

export interface MemberView {
  member_id: string;
  generation: number;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  delivery_count: number;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
}

export interface NackAnswer {
  delivery_count: number;
  outcome: 'retry' | 'dead_lettered' | 'dropped';
  dead_letter?: { topic: string; partition: number; offset: number };
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

/** One email's subscription to a topic, and how far behind it is. */
export interface EmailSubscription {
  topic: string;
  lag: number;
}

export interface ReadMessage {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: unknown;
}

export interface TopicRead {
  email: string;
  topic: string;
  lag: number;
  messages: ReadMessage[];
}

export class Tributary {
  constructor(
    readonly brokerUrl: string,
    readonly gatewayUrl: string,
    private readonly apiKey?: string,
  ) {}

  /**
   * Creates the topic (with `config`, such as its dead-letter topic, if given); true if it was created,
   * false if it already existed, whatever its partitions: another process won the race, which is fine.
   */
  async ensureTopic(topic: string, partitions: number, config?: { dead_letter_topic?: string }): Promise<boolean> {
    try {
      await this.call('POST', `${this.brokerUrl}/create_topic/${enc(topic)}/${partitions}`, config);
      return true;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'TOPIC_EXISTS') return false;
      throw err;
    }
  }

  /** One batch; TOPIC_NOT_FOUND when the topic does not exist (yet, on this broker). */
  async write(topic: string, records: RecordToWrite[]): Promise<{ topic: string; results: WriteResult[] }> {
    return this.call('POST', `${this.brokerUrl}/write/${enc(topic)}`, { records });
  }

  /** Where the record written with `id` went. */
  async locate(topic: string, id: string): Promise<RecordIdLocation> {
    return this.call('GET', `${this.brokerUrl}/topics/${enc(topic)}/ids/${enc(id)}`);
  }

  async stats(): Promise<ClusterStats> {
    return this.call('GET', `${this.brokerUrl}/stats`);
  }

  async startReplay(body: unknown): Promise<ReplayAnswer> {
    return this.call('POST', `${this.brokerUrl}/replay`, body);
  }

  async replay(id: string): Promise<ReplayAnswer> {
    return this.call('GET', `${this.brokerUrl}/replay/${enc(id)}`);
  }

  async replays(): Promise<{ replays: ReplayAnswer[] }> {
    return this.call('GET', `${this.brokerUrl}/replays`);
  }

  async join(group: string, body: JoinRequest): Promise<MemberView> {
    return this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members`, body);
  }

  async fetch(group: string, member: string, max: number, waitMs: number): Promise<{ messages: GroupMessage[] }> {
    return this.call('GET', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/records?max=${max}&wait_ms=${waitMs}`);
  }

  async commit(group: string, member: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/commit`, { offsets });
  }

  /** Gives one record back: delivered again after the group's retry delay, or dead-lettered. */
  async nack(group: string, member: string, record: { topic: string; partition: number; offset: number; reason: string }): Promise<NackAnswer> {
    return this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/nack`, record);
  }

  /** Keeps the session alive and answers the member's current assignment. */
  async heartbeat(group: string, member: string): Promise<MemberView> {
    return this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/heartbeat`);
  }

  async leave(group: string, member: string): Promise<void> {
    await this.call('DELETE', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}`);
  }

  async describeGroup(group: string): Promise<GroupDescription> {
    return this.call('GET', `${this.gatewayUrl}/groups/${enc(group)}`);
  }

  async subscribe(email: string, topic: string, from: 'earliest' | 'latest'): Promise<{ created: boolean }> {
    return this.call('POST', `${this.gatewayUrl}/subscribe/${enc(email)}/${enc(topic)}?from=${from}`);
  }

  async unsubscribe(email: string, topic: string): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/unsubscribe/${enc(email)}/${enc(topic)}`);
  }

  async subscriptions(email: string): Promise<EmailSubscription[]> {
    const answer = await this.call<{ subscriptions: EmailSubscription[] }>('GET', `${this.gatewayUrl}/subscriptions/${enc(email)}`);
    return answer.subscriptions;
  }

  /** Every partition of the topic from the email's offsets, committing what it answers. */
  async readTopic(email: string, topic: string, options: { max: number; waitMs: number; signal?: AbortSignal }): Promise<TopicRead> {
    const url = `${this.gatewayUrl}/read/${enc(email)}/${enc(topic)}?max=${options.max}&wait_ms=${options.waitMs}`;
    return this.call('GET', url, undefined, options.signal);
  }

  private async call<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    const response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    let answer: any;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!response.ok) {
      const retriable = answer?.retriable === true || response.status >= 500;
      const message = answer?.message ?? `${method} ${url}: ${response.status} ${text.slice(0, 200)}`;
      throw new TributaryError(response.status, answer?.code ?? 'HTTP_ERROR', message, retriable, answer);
    }
    return answer as T;
  }
}

const enc = encodeURIComponent;

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
