// The console's only way to the services: the broker's public HTTP API on this origin, and the gateway's
// describe routes through the broker's relay (/ui/gateway/…, broker/src/console.ts). The shapes below are the
// answers README.md documents; they move to the shared protocol package once there is one.

export interface UiConfig {
  auth: boolean;
  /** Where the broker relays gateway calls; null: no gateway known (GATEWAY_URL unset and no port). */
  gateway: string | null;
}

export interface PartitionDescription {
  partition: number;
  log_start_offset: number;
  next_offset: number;
  records: number;
}

export interface TopicConfig {
  retention_ms: number;
  max_record_bytes: number;
  segment_records?: number;
  dedup_window_ms?: number;
}

export interface TopicDescription {
  name: string;
  id: string;
  partition_count: number;
  partitions: PartitionDescription[];
  config: TopicConfig;
  created_at: string;
}

export interface BrokerInfo {
  id: string;
  host: string;
  port: number;
  started_at: string;
  version: string;
  last_seen: string | null;
  alive: boolean;
}

export interface ClusterInfo {
  brokers: BrokerInfo[];
  controller: { broker_id: string; epoch: number; elected_at: string } | null;
  this_broker: { id: string; controller: boolean };
  redis: { address: string; state: string };
  zookeeper: { address: string; root: string; state: string };
}

export interface Readiness {
  status: string;
  checks: Record<string, string>;
}

export interface Message {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
}

export interface BrowseAnswer {
  topic: string;
  partition: number;
  log_start_offset: number;
  high_watermark: number;
  next_offset: number;
  offset_reset?: { from: number; to: number };
  messages: Message[];
}

/** Where a browse starts: an offset, the first record at or after a time (ms), or ({}) the log start. */
export type BrowseFrom = { offset?: number; timestamp?: number };

export interface RecordToWrite {
  key: string | null;
  value: unknown;
  headers?: Record<string, string>;
  id?: string;
}

export interface WriteAnswer {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  duplicate?: boolean;
}

export interface TopicConsumer {
  type: 'email' | 'group';
  name: string;
  lag: number;
  members?: number;
}

export interface GroupSummary {
  group: string;
  generation: number;
  members: number;
  state: string;
}

export interface GroupPartition {
  topic: string;
  partition: number;
  assigned_to: string | null;
  holder: string | null;
  committed_offset: number | null;
  log_start_offset: number;
  high_watermark: number;
  lag: number;
  nacked: number;
}

export interface GroupMember {
  member_id: string;
  name: string;
  topics?: string[];
  pattern?: string;
  from: string;
  session_timeout_ms: number;
  expires_in_ms: number;
  joined_at: string;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupDescription {
  group: string;
  generation: number;
  created_at: string | null;
  config: { max_deliveries: number; retry_delay_ms: number; dead_letter_topic: string | null };
  members: GroupMember[];
  partitions: GroupPartition[];
  lag: number;
}

export interface Subscription {
  topic: string;
  topic_id: string;
  lag: number;
  partitions: Array<{ partition: number; committed_offset: number; log_start_offset: number; high_watermark: number; lag: number }>;
}

/** Tributary's error body: branch on `code`, show `message`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'tributary.apiKey';

/** One client per page load; the API key lives in this tab's session storage, never in a URL. */
export class Api {
  #key: string | null = sessionStorage.getItem(KEY_STORAGE);
  /** Called when a service answers 401: the page asks for a key. */
  onUnauthenticated: () => void = () => {};

  get hasKey(): boolean {
    return this.#key !== null;
  }

  setKey(key: string | null): void {
    this.#key = key;
    if (key === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  }

  async #call<T>(method: string, path: string, body?: unknown, answerErrors = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#key) headers['authorization'] = `Bearer ${this.#key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch {
      throw new ApiError(0, 'UNREACHABLE', 'the broker did not answer: is it running?');
    }
    const text = await response.text();
    let answer: unknown;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(response.status, 'INVALID_ANSWER', `${method} ${path} answered ${response.status} with something other than JSON`);
    }
    if (response.ok || answerErrors) return answer as T;
    const error = (answer ?? {}) as { code?: string; message?: string };
    if (response.status === 401) this.onUnauthenticated();
    throw new ApiError(response.status, error.code ?? 'HTTP_ERROR', error.message ?? `${method} ${path} answered ${response.status}`);
  }

  config = () => this.#call<UiConfig>('GET', '/ui/config.json');
  cluster = () => this.#call<ClusterInfo>('GET', '/cluster');
  /** 200 and 503 both carry every check. */
  readiness = () => this.#call<Readiness>('GET', '/readyz', undefined, true);

  topics = async () => (await this.#call<{ topics: TopicDescription[] }>('GET', '/topics')).topics;
  topic = (name: string) => this.#call<TopicDescription>('GET', `/topics/${enc(name)}`);
  createTopic = (name: string, partitions: number, config: Partial<TopicConfig>) =>
    this.#call<TopicDescription>('POST', `/create_topic/${enc(name)}/${partitions}`, config);
  deleteTopic = (name: string) => this.#call<unknown>('DELETE', `/delete_topic/${enc(name)}`);
  /** Config fields and `partitions` (only more); `warnings` says when keys move to other partitions. */
  alterTopic = (name: string, changes: Partial<TopicConfig> & { partitions?: number }) =>
    this.#call<TopicDescription & { warnings?: string[] }>('PATCH', `/topics/${enc(name)}`, changes);

  browse = (topic: string, partition: number, from: BrowseFrom, max: number) => {
    const query = new URLSearchParams({ ...stringValues(from), max: String(max) });
    return this.#call<BrowseAnswer>('GET', `/topics/${enc(topic)}/partitions/${partition}/records?${query}`);
  };
  write = (topic: string, record: RecordToWrite) => this.#call<WriteAnswer>('POST', `/write/${enc(topic)}`, record);

  // The gateway, through the broker's relay.
  groups = async () => (await this.#call<{ groups: GroupSummary[] }>('GET', '/ui/gateway/groups')).groups;
  group = (name: string) => this.#call<GroupDescription>('GET', `/ui/gateway/groups/${enc(name)}`);
  topicConsumers = async (topic: string) =>
    (await this.#call<{ consumers: TopicConsumer[] }>('GET', `/ui/gateway/topics/${enc(topic)}/consumers`)).consumers;
  subscriptions = async (email: string) =>
    (await this.#call<{ subscriptions: Subscription[] }>('GET', `/ui/gateway/subscriptions/${enc(email)}`)).subscriptions;
}

const enc = encodeURIComponent;

function stringValues(from: BrowseFrom): Record<string, string> {
  return Object.fromEntries(Object.entries(from).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])));
}
