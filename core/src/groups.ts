// Consumer groups as a domain: what a group and a member are, the rules for their names, what a member
// subscribes to (a list of topics, or a glob pattern), and the group settings with their defaults. The state
// lives in Redis (storage/group-store.ts); the gateway's groups/ folder serves it over HTTP.
import type { Topic } from './topics.js';

/** Group names go into Redis hash tags: topic-name characters (no brace or glob character), a letter or digit first. */
export const GROUP_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,248}$';
/** Member names (client-chosen) and member ids. */
export const MEMBER_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,128}$';
/** Topic patterns: topic-name characters plus the glob characters `*` and `?`. */
export const TOPIC_PATTERN_PATTERN = '^[a-zA-Z0-9._*?-]{1,249}$';

export const groupDefaults = Object.freeze({
  sessionTimeoutMs: 10_000, // a member that neither fetches nor heartbeats for this long is removed
  minSessionTimeoutMs: 1_000,
  maxSessionTimeoutMs: 300_000,
  maxDeliveries: 5, // deliveries of one record (the first included) before it goes to the dead-letter topic
  retryDelayMs: 1_000, // a nacked record comes back after this long unless the nack says otherwise
  deadLetterTopic: '{topic}.dlq', // `{topic}` is the record's topic; null turns dead letters off
});

export type StartFrom = 'earliest' | 'latest';

/** A member as stored in its group (snake_case: it is also what GET /groups/:group shows). */
export interface MemberDescription {
  /** What rendezvous hashing weighs: the client-chosen name, or the member id when none was chosen. */
  name: string;
  session_timeout_ms: number;
  topics?: string[];
  pattern?: string;
  /** Where the member starts on a partition the group has no committed offset for. */
  from: StartFrom;
  joined_at: number;
}

export interface GroupConfig {
  maxDeliveries: number;
  retryDelayMs: number;
  /** A topic name, or a template with `{topic}`; null: records past max_deliveries are dropped. */
  deadLetterTopic: string | null;
}

/**
 * A glob over topic names: `*` any run of characters (dots included), `?` one character. No regexes: a glob
 * is matched against every topic on every assignment, so it must cost O(pattern x name) at worst, never
 * backtrack exponentially (docs/invariants.md I11).
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  return (name) => {
    let p = 0;
    let n = 0;
    let star = -1; // the last `*` seen, and where in the name it started matching
    let resume = 0;
    while (n < name.length) {
      if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
        p++;
        n++;
      } else if (p < pattern.length && pattern[p] === '*') {
        star = p++;
        resume = n;
      } else if (star >= 0) {
        p = star + 1;
        n = ++resume;
      } else {
        return false;
      }
    }
    while (pattern[p] === '*') p++;
    return p === pattern.length;
  };
}

/** The dead-letter topic of a record of `topic` under the template (`{topic}` replaced). */
export function deadLetterTopicName(template: string, topic: string): string {
  return template.replaceAll('{topic}', topic);
}

/**
 * Whether `topic` is one of the group's own dead-letter topics: a pattern subscription never picks those up,
 * or `orders.*` would consume `orders.x.dlq` and dead-letter into `orders.x.dlq.dlq`.
 */
export function isDeadLetterTopic(template: string | null, topic: string): boolean {
  if (template === null) return false;
  const at = template.indexOf('{topic}');
  if (at < 0) return topic === template;
  const prefix = template.slice(0, at);
  const suffix = template.slice(at + '{topic}'.length);
  // `{topic}` alone dead-letters a record into its own topic: that names no topic apart.
  if (prefix === '' && suffix === '') return false;
  return topic.length > prefix.length + suffix.length && topic.startsWith(prefix) && topic.endsWith(suffix);
}

const REPLAY_TOPIC_PREFIX = '__replay.';

/**
 * The topic a replay into `group` writes to (POST /replay with a group target): every member of the group
 * reads it besides its own subscription, from its first record, and no other group's pattern matches it.
 */
export function replayTopicName(group: string): string {
  return `${REPLAY_TOPIC_PREFIX}${group}`;
}

/**
 * The topics a member of `group` subscribes to, among those `topics` knows (an unknown or deleted topic is
 * left out), and the group's replay topic if it has one.
 */
export function subscribedTopics(
  group: string,
  member: MemberDescription,
  topics: { get(name: string): Topic | undefined; list(): Topic[] },
  deadLetters: string | null,
): Topic[] {
  const replays = topics.get(replayTopicName(group));
  const withReplays = (subscribed: Topic[]) => (replays && !subscribed.includes(replays) ? [...subscribed, replays] : subscribed);
  if (member.topics) return withReplays(member.topics.flatMap((name) => topics.get(name) ?? []));
  const matches = globMatcher(member.pattern ?? '');
  const all = topics.list();
  // Nor the topics named as some topic's own dead-letter topic (topic config dead_letter_topic), nor replay topics.
  const topicDeadLetters = new Set(all.flatMap(({ config }) => (typeof config.deadLetterTopic === 'string' ? [config.deadLetterTopic] : [])));
  return withReplays(
    all.filter(
      (topic) => matches(topic.name) && !isDeadLetterTopic(deadLetters, topic.name) && !topicDeadLetters.has(topic.name) && !topic.name.startsWith(REPLAY_TOPIC_PREFIX),
    ),
  );
}
