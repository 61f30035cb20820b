// Samples the cluster's counters every few seconds for the rates every page shows: GET /topics for records
// in, and each topic's consumers (through the gateway relay) for records out. One sampler per page load,
// shared through context, so moving between pages keeps the chart's history.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Api, ApiError, TopicDescription } from './api.js';
import { History, rates, sum, type Sample } from './rates.js';

export const SAMPLE_MS = 2_000;
const HISTORY_POINTS = 150; // 5 minutes
/** Records out costs one gateway call per topic and sample: past this many topics it is not sampled. */
const MAX_TOPICS_FOR_OUT = 50;

export interface Snapshot {
  topics: TopicDescription[] | undefined;
  /** Records in per second, by topic name, over the last sample. */
  inRate: Map<string, number>;
  totalIn: number | undefined;
  /** Records committed by consumers per second; undefined while unknown or not sampled. */
  totalOut: number | undefined;
  /** [seconds, in/s, out/s] columns for the chart. */
  history: History;
  error: ApiError | undefined;
}

export class Sampler {
  #api: Api;
  #history = new History(2, HISTORY_POINTS);
  #produced: Sample | undefined;
  #consumed: Sample | undefined;
  #snapshot: Snapshot = { topics: undefined, inRate: new Map(), totalIn: undefined, totalOut: undefined, history: this.#history, error: undefined };
  #listeners = new Set<(snapshot: Snapshot) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** False without a gateway, or once it answers that it has no topic-consumers route. */
  #outAvailable: boolean;

  constructor(api: Api, gatewayKnown: boolean) {
    this.#api = api;
    this.#outAvailable = gatewayKnown;
  }

  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) void this.#tick();
    return () => this.#listeners.delete(listener);
  }

  /** Samples now (after the page created or deleted a topic) rather than at the next tick. */
  refresh(): void {
    clearTimeout(this.#timer);
    void this.#tick();
  }

  async #tick(): Promise<void> {
    this.#timer = setTimeout(() => void this.#tick(), SAMPLE_MS);
    const at = Date.now();
    try {
      const topics = await this.#api.topics();
      const produced: Sample = { at, counters: new Map(topics.map((topic) => [topic.id, nextOffsets(topic)])) };
      const byId = this.#produced ? rates(this.#produced, produced) : new Map<string, number>();
      this.#produced = produced;
      const consumed = await this.#sampleConsumed(topics, at);
      const totalOut = consumed && this.#consumed ? sum(rates(this.#consumed, consumed).values()) : undefined;
      this.#consumed = consumed;
      const totalIn = this.#history.length > 0 || byId.size > 0 ? sum(byId.values()) : undefined;
      this.#history.push(at, totalIn ?? null, totalOut ?? null);
      const inRate = new Map(topics.filter((topic) => byId.has(topic.id)).map((topic) => [topic.name, byId.get(topic.id)!]));
      this.#publish({ topics, inRate, totalIn, totalOut, history: this.#history, error: undefined });
    } catch (err) {
      this.#history.push(at, null, null);
      this.#publish({ ...this.#snapshot, error: err as ApiError });
    }
  }

  async #sampleConsumed(topics: TopicDescription[], at: number): Promise<Sample | undefined> {
    if (!this.#outAvailable || topics.length > MAX_TOPICS_FOR_OUT) return undefined;
    const counters = new Map<string, number>();
    try {
      await Promise.all(
        topics.map(async (topic) => {
          const end = nextOffsets(topic);
          for (const consumer of await this.#api.topicConsumers(topic.name)) {
            counters.set(`${topic.id}|${consumer.type}:${consumer.name}`, end - consumer.lag);
          }
        }),
      );
    } catch (err) {
      // A topic deleted between the two calls (TOPIC_NOT_FOUND) or a gateway away for now (GATEWAY_UNAVAILABLE):
      // skip this sample. A gateway without the route: stop asking.
      if ((err as ApiError).code === 'ROUTE_NOT_FOUND') this.#outAvailable = false;
      return undefined;
    }
    return { at, counters };
  }

  #publish(snapshot: Snapshot): void {
    this.#snapshot = snapshot;
    this.#listeners.forEach((listener) => listener(snapshot));
  }
}

function nextOffsets(topic: TopicDescription): number {
  return sum(topic.partitions.map((partition) => partition.next_offset));
}

export const SamplerContext = createContext<Sampler | null>(null);

export function useSampler(): Snapshot & { sampler: Sampler } {
  const sampler = useContext(SamplerContext)!;
  const [snapshot, setSnapshot] = useState(sampler.snapshot);
  useEffect(() => sampler.subscribe(setSnapshot), [sampler]);
  return { ...snapshot, sampler };
}
