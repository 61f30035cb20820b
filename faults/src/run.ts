// One scenario from start to verdict: a fresh stack and topic, producers and the at-least-once consumer under
// way, the fault, a spell of load after it, then the producers settle every record, the consumer drains, a
// fresh subscriber reads everything back, and the audit compares the three accounts with the log in Redis.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { partitionFor, type RedisClient } from '@tributary/core';
import { audit, VIOLATIONS, type Audit, type Position } from './audit.js';
import { Consumer } from './consumer.js';
import { Answers, call, callUntilOk } from './http.js';
import { Ledger } from './ledger.js';
import { readPartitions, type TopicLayout } from './log-readback.js';
import { Producer } from './producer.js';
import type { Scenario } from './scenarios.js';
import type { Settings } from './settings.js';
import { startStack, type FaultStack } from './stack.js';
import { longestGap, p99ByPhase, Timeline, type PhaseName, type Phases } from './timeline.js';

export interface ScenarioResult {
  name: string;
  title: string;
  /** Undefined when the scenario could not get as far as the audit. */
  audit?: Audit;
  /** Longest stretch without an acked write, and without a successful read, while the load ran (ms). */
  unavailableMs: { write: number; read: number };
  p99Ms: Record<PhaseName, number | undefined>;
  events: Array<{ at: number; what: string }>;
  writeAnswers: Record<string, number>;
  readAnswers: Record<string, number>;
  /** Error answers without Tributary's error body (no `code`), by label: the first body of each. */
  uncodedAnswers: Record<string, string>;
  /** What makes the run fail besides the counts: the stack did not recover, a service died on its own. */
  problems: string[];
  /** What is worth knowing and fails nothing. */
  observations: string[];
  /** Per service: errors and warnings it logged. */
  serviceLogs: Array<{ service: string; errors: number; warnings: number; samples: string[] }>;
  durationS: number;
  /** Data and logs, kept when something was wrong. */
  keptDir?: string;
}

const TOPIC_PARTITIONS = 4;
/** Longer than any scenario: a retry, however late, still finds its id. */
const DEDUP_WINDOW_MS = 30 * 60 * 1000;
const HEAL_TIMEOUT_MS = 60_000;
/** From the heal: a session timeout (10 s by default) for a dead broker's registration to go, and more. */
const REGISTRY_TIMEOUT_MS = 30_000;

export interface RunContext {
  runTag: string;
  say(line: string): void;
  /** Stacks running now: stopped by main on SIGINT/SIGTERM. */
  running: Set<FaultStack>;
}

export async function runScenario(scenario: Scenario, settings: Settings, { runTag, say, running }: RunContext): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `tributary-faults-${scenario.name}-`));
  const result: ScenarioResult = {
    name: scenario.name,
    title: scenario.title,
    unavailableMs: { write: 0, read: 0 },
    p99Ms: { before: undefined, during: undefined, after: undefined },
    events: [],
    writeAnswers: {},
    readAnswers: {},
    uncodedAnswers: {},
    problems: [],
    observations: [],
    serviceLogs: [],
    durationS: 0,
  };
  let stack: FaultStack | undefined;
  try {
    say(`${scenario.name}: starting the stack`);
    stack = await startStack({ redis: scenario.redis, serviceEnv: scenario.serviceEnv ?? {}, dir });
    running.add(stack);
    await exercise(stack, scenario, settings, `${runTag}-${scenario.name}`, result, say);
  } catch (err) {
    result.problems.push(`the scenario did not complete: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (stack) {
      result.problems.push(...stack.unexpectedExits);
      result.serviceLogs = [...stack.brokers, stack.gateway].map((service) => summarizeLog(service.name, service.logFile));
      await stack.stop();
      running.delete(stack);
    }
    const clean = result.problems.length === 0 && result.audit !== undefined && VIOLATIONS.every((v) => result.audit!.counts[v] === 0);
    if (clean) rmSync(dir, { recursive: true, force: true });
    else result.keptDir = dir;
    result.durationS = Math.round((Date.now() - startedAt) / 100) / 10;
  }
  return result;
}

async function exercise(stack: FaultStack, scenario: Scenario, settings: Settings, tag: string, result: ScenarioResult, say: (line: string) => void): Promise<void> {
  const [broker1, broker2] = stack.brokers;
  const topicName = `faults-${tag}`;
  const created = (await callUntilOk(
    'POST',
    `${broker1!.url}/create_topic/${topicName}/${TOPIC_PARTITIONS}`,
    { retention_ms: -1, dedup_window_ms: DEDUP_WINDOW_MS },
    10_000,
  )) as { id: string; config: { segment_records: number } };
  const topic: TopicLayout = { id: created.id, partitions: TOPIC_PARTITIONS, segmentRecords: created.config.segment_records };
  // The other broker learns of the topic from a ZooKeeper watch.
  await callUntilOk('GET', `${broker2!.url}/topics/${topicName}`, undefined, 10_000);

  const timeline = new Timeline();
  const consumer = new Consumer({
    gateway: stack.gateway.url,
    email: `consumer-${tag}@faults.example.com`,
    topic: topicName,
    partitions: TOPIC_PARTITIONS,
    commit: 'explicit',
    max: 500,
    waitMs: 500,
    timeline,
  });
  await consumer.subscribe(10_000);

  const ledger = new Ledger();
  const writeAnswers = new Answers();
  const target = { brokers: stack.brokers.map((b) => b.url), topic: topicName, partitions: TOPIC_PARTITIONS, idPrefix: tag };
  const producers = [
    ...Array.from({ length: settings.singleProducers }, () => 'single' as const),
    ...Array.from({ length: settings.batchProducers }, () => 'batch' as const),
  ].map((kind, i) => new Producer(i, target, { ...settings.producer, kind }, ledger, timeline, writeAnswers));

  result.events = timeline.events;
  const stopLoad = new AbortController();
  consumer.start();
  const producing = Promise.all(producers.map((producer) => producer.run(stopLoad.signal)));
  try {
    let phases: Phases;
    try {
      phases = await injectUnderLoad(stack, scenario, settings, topic, timeline, result, say);
    } finally {
      stopLoad.abort();
      await producing;
    }
    timeline.event(`producers stopped; every record settled`);
    result.p99Ms = p99ByPhase(timeline, phases);
    result.unavailableMs = {
      write: longestGap(timeline.writeOks, 0, phases.loadEndAt),
      read: longestGap(timeline.readOks, 0, phases.loadEndAt),
    };
    result.writeAnswers = Object.fromEntries(writeAnswers.counts);
    result.uncodedAnswers = Object.fromEntries(writeAnswers.uncoded);

    try {
      // A broker killed by SIGKILL stays registered until its ZooKeeper session times out.
      await stack.waitRegistered(Math.max(1_000, phases.healedAt + REGISTRY_TIMEOUT_MS - timeline.now()));
      timeline.event('the registry lists both brokers and a controller');
    } catch (err) {
      result.problems.push(err instanceof Error ? err.message : String(err));
    }

    say(`${scenario.name}: draining the consumer and reading everything back`);
    const redis = await stack.inspect();
    try {
      const targets = (await readPartitions(redis, topic)).map((p) => p.next);
      await consumer.drain(targets, settings.drainTimeoutMs);
      for (const { partition, committed, target: next } of consumer.shortfalls()) {
        result.problems.push(`the consumer reached offset ${committed} of ${next} in partition ${partition} within ${settings.drainTimeoutMs} ms`);
      }
      const readBack = await readEverything(stack, topicName, tag, targets, settings.drainTimeoutMs, timeline);
      timeline.event('consumer drained, read-back done');
      for (const [reader, skipped] of [['the consumer', consumer.skipped], ['the read-back', readBack.skipped]] as const) {
        if (skipped > 0) result.problems.push(`${reader}'s reads skipped ${skipped} offsets: a read moved past records it did not deliver`);
      }

      const unknown = [...ledger.records.values()].filter((record) => record.outcome === 'unknown').map((record) => record.id);
      const idLookups = await lookUpIds(broker1!.url, topicName, unknown);
      result.audit = audit({
        records: ledger.records.values(),
        partitionOf: (key) => partitionFor(key, TOPIC_PARTITIONS),
        stored: await readPartitions(redis, topic),
        consumed: consumer.deliveries,
        readBack: readBack.deliveries,
        idLookups,
      });
    } finally {
      redis.disconnect();
    }
  } finally {
    await consumer.stop();
    result.readAnswers = Object.fromEntries(consumer.answers.counts);
    Object.assign(result.uncodedAnswers, Object.fromEntries(consumer.answers.uncoded));
  }
}

/** Load, the fault and its undoing, more load: when each phase began. */
async function injectUnderLoad(
  stack: FaultStack,
  scenario: Scenario,
  settings: Settings,
  topic: TopicLayout,
  timeline: Timeline,
  result: ScenarioResult,
  say: (line: string) => void,
): Promise<Phases> {
  say(`${scenario.name}: load for ${settings.beforeMs / 1000} s, then the fault`);
  await sleep(settings.beforeMs);
  const faultAt = timeline.now();
  const observe = (line: string) => result.observations.push(line);
  try {
    await scenario.inject({ stack, topic, timeline, downMs: settings.downMs, observe });
    await stack.waitReady(HEAL_TIMEOUT_MS);
    timeline.event('every service ready');
  } catch (err) {
    result.problems.push(`the stack did not recover: ${err instanceof Error ? err.message : String(err)}`);
    timeline.event('gave up waiting for the stack to recover');
  }
  const healedAt = timeline.now();
  say(`${scenario.name}: healed after ${Math.round(healedAt - faultAt)} ms; load for ${settings.afterMs / 1000} s more`);
  await sleep(settings.afterMs);
  return { faultAt, healedAt, loadEndAt: timeline.now() };
}

/** A fresh subscriber reads every partition from the start through the gateway, auto-committing. */
async function readEverything(stack: FaultStack, topic: string, tag: string, targets: number[], timeoutMs: number, timeline: Timeline) {
  const reader = new Consumer({
    gateway: stack.gateway.url,
    email: `read-back-${tag}@faults.example.com`,
    topic,
    partitions: targets.length,
    commit: 'auto',
    max: 1_000,
    waitMs: 0,
    timeline,
  });
  await reader.subscribe(10_000);
  reader.start();
  await reader.drain(targets, timeoutMs);
  return reader;
}

/** GET /topics/:t/ids/:id for each id: where it went, null for 404; ids whose lookup failed are left out. */
async function lookUpIds(broker: string, topic: string, ids: string[]): Promise<Map<string, Position | null>> {
  const found = new Map<string, Position | null>();
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const answer = await call('GET', `${broker}/topics/${topic}/ids/${id}`, undefined, 5_000);
      if (answer.kind !== 'answer') continue;
      if (answer.status === 404) found.set(id, null);
      if (answer.status === 200) {
        const { partition, offset } = answer.body as Position;
        found.set(id, { partition, offset });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return found;
}

/** Errors and warnings a service logged (pino JSON lines: level 40 warn, 50 error, 60 fatal). */
function summarizeLog(service: string, file: string): { service: string; errors: number; warnings: number; samples: string[] } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { service, errors: 0, warnings: 0, samples: [] };
  }
  let errors = 0;
  let warnings = 0;
  const samples = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: { level?: number; msg?: string; err?: { message?: string } } = {};
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      // Not pino's: a crash trace or a start-up failure, worth showing as it is.
      errors++;
      if (samples.size < 3) samples.add(line.slice(0, 200));
      continue;
    }
    const level = entry.level ?? 0;
    if (level >= 50) errors++;
    else if (level >= 40) warnings++;
    if (level >= 40 && samples.size < 3) samples.add((entry.msg || entry.err?.message || '').slice(0, 200));
  }
  return { service, errors, warnings, samples: [...samples] };
}
