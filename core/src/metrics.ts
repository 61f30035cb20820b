// Prometheus metrics of one service instance (GET /metrics). One registry per instance, never prom-client's
// global one: tests run several brokers and gateways in one process, and each must count only its own work.
//
// Label cardinality is bounded: route labels are route patterns (/topics/:topic), never URLs; Redis and
// ZooKeeper operations are command names; topics get series of their own up to METRICS_MAX_TOPICS, and
// every later topic is summed under topic="_other". Gauges that cost a read (lag) are computed when scraped.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from './config.js';

/** The topic label of every topic beyond METRICS_MAX_TOPICS. */
export const OTHER_TOPICS = '_other';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #maxTopics: number;
  readonly #topics = new Set<string>();

  readonly recordsWritten: Counter<'topic'>;
  readonly bytesWritten: Counter<'topic'>;
  readonly recordsRead: Counter<'topic'>;
  readonly bytesRead: Counter<'topic'>;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly errors: Counter<'code'>;
  readonly redisDuration: Histogram<'command'>;
  readonly redisFailures: Counter<'command'>;
  readonly zookeeperDuration: Histogram<'operation'>;
  readonly zookeeperFailures: Counter<'operation'>;

  constructor(config: Pick<Config, 'metricsMaxTopics'>, service: string) {
    this.#maxTopics = config.metricsMaxTopics;
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'tributary_' });

    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });

    this.recordsWritten = counter('tributary_records_written_total', 'Records stored by writes, per topic', ['topic']);
    this.bytesWritten = counter('tributary_written_bytes_total', 'Bytes of stored records (JSON of key, value and headers), per topic', ['topic']);
    this.recordsRead = counter('tributary_records_read_total', 'Records answered to reads, per topic', ['topic']);
    this.bytesRead = counter('tributary_read_bytes_total', 'Bytes of records answered to reads (JSON of key, value and headers), per topic', ['topic']);
    this.requests = counter('tributary_http_requests_total', 'HTTP requests answered, by route pattern and status', ['method', 'route', 'status']);
    this.requestDuration = histogram('tributary_http_request_duration_seconds', 'HTTP request latency, by route pattern and status', ['method', 'route', 'status']);
    this.errors = counter('tributary_errors_total', 'Error answers, by error code', ['code']);
    this.redisDuration = histogram('tributary_redis_command_duration_seconds', 'Redis command latency (scripts show as evalsha)', ['command']);
    this.redisFailures = counter('tributary_redis_command_failures_total', 'Redis commands that failed or timed out', ['command']);
    this.zookeeperDuration = histogram('tributary_zookeeper_request_duration_seconds', 'ZooKeeper request latency', ['operation']);
    this.zookeeperFailures = counter('tributary_zookeeper_request_failures_total', 'ZooKeeper requests that failed (outages, not answers such as "no node")', ['operation']);
  }

  /** The topic's label: its name for the first METRICS_MAX_TOPICS topics seen, then "_other". */
  topic(name: string): string {
    if (this.#topics.has(name)) return name;
    if (this.#topics.size >= this.#maxTopics) return OTHER_TOPICS;
    this.#topics.add(name);
    return name;
  }

  /** Records stored and delivered by this instance since it started, for GET /stats (core/stats.ts). */
  readonly totals = { published: 0, consumed: 0 };

  written(topic: string, records: number, bytes: number): void {
    this.totals.published += records;
    const label = this.topic(topic);
    this.recordsWritten.inc({ topic: label }, records);
    this.bytesWritten.inc({ topic: label }, bytes);
  }

  read(topic: string, records: number, bytes: number): void {
    if (records === 0) return;
    this.totals.consumed += records;
    const label = this.topic(topic);
    this.recordsRead.inc({ topic: label }, records);
    this.bytesRead.inc({ topic: label }, bytes);
  }

  /** A gauge whose values are set by `collect` when scraped (waiters, controller status, lag). */
  gauge<L extends string>(name: string, help: string, labelNames: L[], collect: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  /** A Redis or ZooKeeper call's outcome, for the latency histograms and failure counters. */
  observeRedis(command: string, seconds: number, ok: boolean): void {
    this.redisDuration.observe({ command }, seconds);
    if (!ok) this.redisFailures.inc({ command });
  }

  observeZooKeeper(operation: string, seconds: number, ok: boolean): void {
    this.zookeeperDuration.observe({ operation }, seconds);
    if (!ok) this.zookeeperFailures.inc({ operation });
  }
}

/**
 * GET /metrics. Access: describe on cluster, like /cluster: series name every topic and group, which a
 * principal without describe on them must not learn. With AUTH off (npm start, Prometheus on a private
 * network) it is open like every route.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.get(
    '/metrics',
    { config: { access: { operation: 'describe', resource: () => 'cluster' } } },
    async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}

/** Seconds since `start` (performance.now()). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
