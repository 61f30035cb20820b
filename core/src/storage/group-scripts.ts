// The consumer-group scripts in core/lua, as ioredis commands (scripts.ts registers every file there). Only
// group-store.ts calls them. A reply element is a number, a string, or a nested array of those.
import type { Result } from 'ioredis';

type Arg = string | number | ReadonlyArray<string | number>;
type Reply = number | string | Reply[];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    updateMembers(meta: string, members: string, sessions: string, owners: string, positions: string, changed: string, ...args: Arg[]): Result<number[], Context>;
    groupState(meta: string, members: string, sessions: string, owners: string, member: string, knownGeneration: number, heartbeat: string): Result<Reply[], Context>;
    syncOwnership(meta: string, sessions: string, owners: string, positions: string, changed: string, ...args: Arg[]): Result<Reply[], Context>;
    claimFetch(numKeys: number, ...keysAndArgs: Arg[]): Result<Reply[], Context>;
    advanceFetch(owners: string, positions: string, offsets: string, delivered: string, deliveries: string, ...args: Arg[]): Result<Reply[], Context>;
    commitOffsets(numKeys: number, ...keysAndArgs: Arg[]): Result<number[], Context>;
    nackRecord(
      meta: string,
      sessions: string,
      owners: string,
      positions: string,
      deliveries: string,
      retry: string,
      inflight: string,
      ...args: Arg[]
    ): Result<Array<number | string>, Context>;
    settleRecords(deliveries: string, retry: string, inflight: string, ...args: Arg[]): Result<number, Context>;
    resetGroupOffsets(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    deleteGroup(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    forgetGroupTopic(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    scheduleGroupSweep(index: string, group: string, inMs: number | ''): Result<number, Context>;
    dueGroupSweeps(index: string, max: number): Result<string[], Context>;
    rescheduleGroupSweep(index: string, group: string, noted: string, next: number | '+inf'): Result<number, Context>;
  }
}

export type ScriptReply = Reply;
