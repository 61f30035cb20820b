// The Tributary routes the event bus uses, over plain HTTP like any other client. Errors come back as
// Tributary's JSON ({statusCode, code, error, message, retriable}) and are thrown as TributaryError with that
// body, so the bus can hand a client's mistake (a bad filter, an unknown replay) back to it unchanged.
// The answers' fields the bus reads; Tributary's OpenAPI document (GET /docs/json) has all of them.

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

/** A replay and its progress; the bus passes it through as it is. */
export interface ReplayAnswer {
  replay_id: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  progress: { records_total: number; scanned: number; matched: number; written: number; percent: number };
  [field: string]: unknown;
}

export class TributaryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface JoinRequest {
  pattern: string;
  member: string;
  session_timeout_ms: number;
  from: 'earliest' | 'latest';
  max_deliveries: number;
  retry_delay_ms: number;
  dead_letter_topic: string;
}

export class Tributary {
  constructor(
    readonly brokerUrl: string,
    readonly gatewayUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** Writes one record; TOPIC_NOT_FOUND when the topic does not exist (yet, on this broker). */
  async write(topic: string, record: { key: string; value: unknown; id: string }): Promise<{ topic: string; results: WriteResult[] }> {
    return this.call('POST', `${this.brokerUrl}/write/${topic}`, { records: [record] });
  }

  /** Creates the topic; one that already exists (another publisher won the race) is fine. */
  async ensureTopic(topic: string, partitions: number, config: { dead_letter_topic?: string } = {}): Promise<void> {
    try {
      await this.call('POST', `${this.brokerUrl}/create_topic/${topic}/${partitions}`, config);
    } catch (err) {
      if (!(err instanceof TributaryError && err.code === 'TOPIC_EXISTS')) throw err;
    }
  }

  async locate(topic: string, id: string): Promise<RecordIdLocation> {
    return this.call('GET', `${this.brokerUrl}/topics/${encodeURIComponent(topic)}/ids/${encodeURIComponent(id)}`);
  }

  async stats(): Promise<ClusterStats> {
    return this.call('GET', `${this.brokerUrl}/stats`);
  }

  async startReplay(body: unknown): Promise<ReplayAnswer> {
    return this.call('POST', `${this.brokerUrl}/replay`, body);
  }

  async replay(id: string): Promise<ReplayAnswer> {
    return this.call('GET', `${this.brokerUrl}/replay/${encodeURIComponent(id)}`);
  }

  async replays(): Promise<{ replays: ReplayAnswer[] }> {
    return this.call('GET', `${this.brokerUrl}/replays`);
  }

  async join(group: string, body: JoinRequest): Promise<{ member_id: string }> {
    return this.call('POST', `${this.gatewayUrl}/groups/${group}/members`, body);
  }

  async fetch(group: string, member: string, max: number, waitMs: number): Promise<{ messages: GroupMessage[] }> {
    return this.call('GET', `${this.gatewayUrl}/groups/${group}/members/${member}/records?max=${max}&wait_ms=${waitMs}`);
  }

  async nack(group: string, member: string, record: { topic: string; partition: number; offset: number; reason: string }): Promise<NackAnswer> {
    return this.call('POST', `${this.gatewayUrl}/groups/${group}/members/${member}/nack`, record);
  }

  async commit(group: string, member: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/groups/${group}/members/${member}/commit`, { offsets });
  }

  async leave(group: string, member: string): Promise<void> {
    await this.call('DELETE', `${this.gatewayUrl}/groups/${group}/members/${member}`);
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
      throw new TributaryError(response.status, answer?.code ?? 'HTTP_ERROR', answer?.message ?? `${method} ${url}: ${response.status} ${text.slice(0, 200)}`, answer);
    }
    return answer as T;
  }
}
