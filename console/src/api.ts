// The console's only way to the services: the broker's public HTTP API on this origin, and the gateway's
// describe routes through the broker's relay (/ui/gateway/…, broker/src/console.ts). The answers' shapes are
// the services' own (core/src/protocol, derived from the schemas the routes serialize with); imported as types
// only, so nothing of the server code or TypeBox reaches the bundle.
export type {
  BrokerInfo,
  BrowseAnswer,
  ClusterInfo,
  GroupDescription,
  GroupMember,
  GroupPartitionLag as GroupPartition,
  GroupSummary,
  BrowsedMessage as Message,
  PartitionDescription,
  Subscription,
  TopicConsumer,
  TopicDescription,
  UiConfig,
  WriteRecord as RecordToWrite,
} from '@tributary/core';

import type {
  BrowseAnswer,
  ClusterInfo,
  ErrorAnswer,
  GroupDescription,
  GroupList,
  Readiness as ReadyAnswer,
  SubscriptionList,
  TopicAlterBody,
  TopicAlterResult,
  TopicConfigBody,
  TopicConsumers,
  TopicDescription,
  TopicList,
  UiConfig,
  WriteAnswer as WriteAnswers,
  WriteRecord,
  WriteResult,
} from '@tributary/core';

export type TopicConfig = TopicDescription['config'];

/** POST /write/:topic of one record: where it went. */
export type WriteAnswer = WriteAnswers & WriteResult;

/** GET /readyz: 200 {status, checks}, or 503 NOT_READY, whose error body carries the checks without a status. */
export type Readiness = Partial<ReadyAnswer> & Pick<ReadyAnswer, 'checks'>;

/** Where a browse starts: an offset, the first record at or after a time (ms), or ({}) the log start. */
export type BrowseFrom = { offset?: number; timestamp?: number };

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
    const error = (answer ?? {}) as Partial<ErrorAnswer>;
    if (response.status === 401) this.onUnauthenticated();
    throw new ApiError(response.status, error.code ?? 'HTTP_ERROR', error.message ?? `${method} ${path} answered ${response.status}`);
  }

  config = () => this.#call<UiConfig>('GET', '/ui/config.json');
  cluster = () => this.#call<ClusterInfo>('GET', '/cluster');
  /** 200 and 503 both carry every check. */
  readiness = () => this.#call<Readiness>('GET', '/readyz', undefined, true);

  topics = async () => (await this.#call<TopicList>('GET', '/topics')).topics;
  topic = (name: string) => this.#call<TopicDescription>('GET', `/topics/${enc(name)}`);
  createTopic = (name: string, partitions: number, config: TopicConfigBody) =>
    this.#call<TopicDescription>('POST', `/create_topic/${enc(name)}/${partitions}`, config);
  deleteTopic = (name: string) => this.#call<unknown>('DELETE', `/delete_topic/${enc(name)}`);
  /** Config fields and `partitions` (only more); `warnings` says when keys move to other partitions. */
  alterTopic = (name: string, changes: TopicAlterBody) =>
    this.#call<TopicAlterResult>('PATCH', `/topics/${enc(name)}`, changes);

  browse = (topic: string, partition: number, from: BrowseFrom, max: number) => {
    const query = new URLSearchParams({ ...stringValues(from), max: String(max) });
    return this.#call<BrowseAnswer>('GET', `/topics/${enc(topic)}/partitions/${partition}/records?${query}`);
  };
  write = (topic: string, record: WriteRecord) => this.#call<WriteAnswer>('POST', `/write/${enc(topic)}`, record);

  // The gateway, through the broker's relay.
  groups = async () => (await this.#call<GroupList>('GET', '/ui/gateway/groups')).groups;
  group = (name: string) => this.#call<GroupDescription>('GET', `/ui/gateway/groups/${enc(name)}`);
  topicConsumers = async (topic: string) =>
    (await this.#call<TopicConsumers>('GET', `/ui/gateway/topics/${enc(topic)}/consumers`)).consumers;
  subscriptions = async (email: string) =>
    (await this.#call<SubscriptionList>('GET', `/ui/gateway/subscriptions/${enc(email)}`)).subscriptions;
}

const enc = encodeURIComponent;

function stringValues(from: BrowseFrom): Record<string, string> {
  return Object.fromEntries(Object.entries(from).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])));
}
