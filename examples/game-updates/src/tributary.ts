// The Tributary routes this example uses, over plain HTTP like any other client: create a topic and write to
// it on the broker; subscribe, unsubscribe, list subscriptions and read a whole topic on the gateway.
// Tributary's errors ({statusCode, code, error, message}) are thrown as TributaryError.

export class TributaryError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
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

export interface Subscription {
  topic: string;
  lag: number;
}

export class Tributary {
  constructor(
    private readonly brokerUrl: string,
    private readonly gatewayUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** Creates the topic; true if it was created, false if it already existed (whatever its partitions). */
  async ensureTopic(topic: string, partitions: number): Promise<boolean> {
    try {
      await this.call('POST', `${this.brokerUrl}/create_topic/${enc(topic)}/${partitions}`);
      return true;
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'TOPIC_EXISTS') return false;
      throw err;
    }
  }

  async write(topic: string, records: RecordToWrite[]): Promise<void> {
    await this.call('POST', `${this.brokerUrl}/write/${enc(topic)}`, { records });
  }

  async subscribe(email: string, topic: string, from: 'earliest' | 'latest'): Promise<{ created: boolean }> {
    return this.call('POST', `${this.gatewayUrl}/subscribe/${enc(email)}/${enc(topic)}?from=${from}`);
  }

  async unsubscribe(email: string, topic: string): Promise<void> {
    await this.call('POST', `${this.gatewayUrl}/unsubscribe/${enc(email)}/${enc(topic)}`);
  }

  async subscriptions(email: string): Promise<Subscription[]> {
    const answer = await this.call<{ subscriptions: Subscription[] }>('GET', `${this.gatewayUrl}/subscriptions/${enc(email)}`);
    return answer.subscriptions;
  }

  /** Every partition of the topic from the consumer's offsets, committing what it answers. */
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
      throw new TributaryError(response.status, answer?.code ?? 'HTTP_ERROR', answer?.message ?? `${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
    }
    return answer as T;
  }
}

const enc = encodeURIComponent;
