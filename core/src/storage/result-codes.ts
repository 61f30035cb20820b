// The one table of what Lua scripts answer when they refuse (core/lua/*.lua return these negative integers;
// each script's header lists the ones it can return), and the one function that turns them into errors.
import { TributaryError, type ErrorContext } from '../errors.js';

export const ScriptResult = Object.freeze({
  /** The partition has no state in Redis: Redis lost its data, or the metadata is older than the tombstone. */
  PARTITION_MISSING: -1,
  /** delete_topic marked the partition: it takes no more writes or reads. */
  PARTITION_DELETED: -2,
  /** The consumer is not subscribed to the topic (or only to an earlier topic of the same name). */
  NOT_SUBSCRIBED: -3,
  /** The segment lists an append declared do not cover the offsets it would assign; retry with a new hint. */
  SEGMENTS_NOT_DECLARED: -4,
  /** A newer controller has already acted on this partition: the caller's epoch is stale. */
  STALE_CONTROLLER: -5,
  /** Reclaiming a partition that delete_topic has not marked. */
  NOT_DELETED: -6,
  /** The group has no such member, or its session has expired. */
  UNKNOWN_MEMBER: -7,
  /** The member does not hold the lease on a partition it acted on (another member does, or nobody). */
  NOT_PARTITION_OWNER: -8,
  /** The group's generation moved since the caller read it: read again and recompute. */
  STALE_GENERATION: -9,
  /** The group has live members, and the operation needs none. */
  GROUP_NOT_EMPTY: -10,
  /** A nack of a record that was not delivered to the member under its current lease. */
  NOT_DELIVERED: -11,
});

export type ScriptResultCode = (typeof ScriptResult)[keyof typeof ScriptResult];

export function scriptError(code: number, context: ErrorContext = {}): TributaryError {
  switch (code) {
    case ScriptResult.PARTITION_MISSING:
      return new TributaryError('TOPIC_NOT_FOUND', `topic "${context.topic}" has no log in Redis`, context);
    case ScriptResult.PARTITION_DELETED:
      return new TributaryError('TOPIC_NOT_FOUND', `topic "${context.topic}" was deleted`, context);
    case ScriptResult.NOT_SUBSCRIBED:
      return new TributaryError(
        'NOT_SUBSCRIBED',
        `${context.email ?? 'this consumer'} is not subscribed to topic "${context.topic}" (subscribe with POST /subscribe/<email>/<topic>)`,
        context,
      );
    case ScriptResult.SEGMENTS_NOT_DECLARED:
      return new TributaryError('PARTITION_BUSY', undefined, context);
    case ScriptResult.STALE_CONTROLLER:
      return new TributaryError('STALE_CONTROLLER', undefined, context);
    case ScriptResult.UNKNOWN_MEMBER:
      return new TributaryError('UNKNOWN_MEMBER', undefined, context);
    case ScriptResult.NOT_PARTITION_OWNER:
      return new TributaryError(
        'NOT_PARTITION_OWNER',
        `member ${context.member ?? ''} does not hold topic "${context.topic}" partition ${context.partition} now: it moved to another member, ` +
          'and records after the last commit will be delivered to that member',
        context,
      );
    case ScriptResult.STALE_GENERATION:
      return new TributaryError('REBALANCE_IN_PROGRESS', undefined, context);
    case ScriptResult.GROUP_NOT_EMPTY:
      return new TributaryError('GROUP_NOT_EMPTY', `group "${context.group}" has live members: remove them (or let their sessions expire) first`, context);
    case ScriptResult.NOT_DELIVERED:
      return new TributaryError(
        'NOT_DELIVERED',
        `offset ${context.offset} of topic "${context.topic}" partition ${context.partition} was not delivered to member ${context.member ?? ''} under its current hold of the partition`,
        context,
      );
    default:
      return new TributaryError('INTERNAL_ERROR', `unexpected script result ${code}`, context);
  }
}
