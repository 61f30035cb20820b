// The Tributary routes this example uses, over plain HTTP like any other client: create a topic and write to
// it on the broker; join, fetch, commit, leave and describe a consumer group on the gateway. Tributary's
// errors ({statusCode, code, error, message, retriable}) are thrown as TributaryError.

export class TributaryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Tributary says trying again may work (or there was no answer at all). */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface GroupMessage {
  topic: string;
  partition: number;
  offset: number;
  value: unknown;
}

export interface GroupDescription {
  partitions: Array<{ topic: string; partition: number; committed_offset: number | null; high_watermark: number; lag: number }>;
  lag: number;
}

export class Tributary {
  constructor(
    private readonly brokerUrl: string,
    private readonly gatewayUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** Creates the topic; one that already exists is fine (whatever its partition count). */
  async ensureTopic(topic: string, partitions: number): Promise<void> {
    try {
      await this.call('POST', `${this.brokerUrl}/create_topic/${enc(topic)}/${partitions}`);
    } catch (err) {
      if (!(err instanceof TributaryError && err.code === 'TOPIC_EXISTS')) throw err;
    }
  }

  /** One batch; a record's id makes it stored once however often the batch is retried. */
  async write(topic: string, records: Array<{ key: string; value: unknown; id: string }>): Promise<void> {
    await this.call('POST', `${this.brokerUrl}/write/${enc(topic)}`, { records });
  }

  async join(group: string, body: { topics: string[]; member: string; session_timeout_ms: number; from: 'earliest' | 'latest' }): Promise<{ member_id: string }> {
    return this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members`, body);
  }

  async fetch(group: string, member: string, max: number, waitMs: number): Promise<{ messages: GroupMessage[] }> {
    return this.call('GET', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/records?max=${max}&wait_ms=${waitMs}`);
  }

  async commit(group: string, member: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}/commit`, { offsets });
  }

  async leave(group: string, member: string): Promise<void> {
    await this.call('DELETE', `${this.gatewayUrl}/groups/${enc(group)}/members/${enc(member)}`);
  }

  async describeGroup(group: string): Promise<GroupDescription> {
    return this.call('GET', `${this.gatewayUrl}/groups/${enc(group)}`);
  }

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new TributaryError(0, 'UNREACHABLE', `${method} ${url}: ${err instanceof Error ? err.message : String(err)}`, true);
    }
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

const enc = encodeURIComponent;
