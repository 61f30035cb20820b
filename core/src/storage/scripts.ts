// Registers every Lua script in core/lua with ioredis once per connection (defineCommand: EVALSHA, falling
// back to EVAL only when Redis lost its script cache). A file named `name-N.lua` takes exactly N keys; a
// plain `name.lua` takes a variable number and the caller passes the key count first. Only the stores in
// this folder call them (log-store.ts, consumer-store.ts, group-store.ts, whose scripts group-scripts.ts
// declares): they assemble KEYS and ARGV and decode replies.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis, Result } from 'ioredis';

// ioredis flattens array arguments, so long key and payload lists need no spreading.
type ScriptArg = string | number | Buffer | ReadonlyArray<string | number | Buffer>;

/** The scripts in core/lua, by command name. Headers in each file list KEYS, ARGV and return codes. */
declare module 'ioredis' {
  interface RedisCommander<Context> {
    appendRecords(numKeys: number, ...keysAndArgs: ScriptArg[]): Result<number[], Context>;
    expireRecordIds(ids: string, idsLog: string, windowMs: number, max: number): Result<number, Context>;
    createPartition(key: string): Result<number, Context>;
    deletePartition(key: string): Result<[number, number?], Context>;
    reclaimPartition(numKeys: number, ...keysAndArgs: ScriptArg[]): Result<number, Context>;
    applyRetention(numKeys: number, ...keysAndArgs: ScriptArg[]): Result<number, Context>;
    subscribeTopic(
      subscriptions: string,
      offsets: string,
      topic: string,
      topicId: string,
      ...startOffsets: ScriptArg[]
    ): Result<number, Context>;
    unsubscribeTopic(subscriptions: string, offsets: string, topic: string): Result<number | string, Context>;
    forgetSubscription(subscriptions: string, offsets: string, topic: string, topicId: string): Result<number, Context>;
    readPosition(
      subscriptions: string,
      offsets: string,
      topic: string,
      topicId: string,
      partition: number,
      logStartOffset: number,
      nextOffset: number,
      max: number,
    ): Result<[number, number?, number?], Context>;
    commitRead(
      subscriptions: string,
      offsets: string,
      topic: string,
      topicId: string,
      partition: number,
      logStartOffset: number,
      from: number,
      to: number,
    ): Result<number, Context>;
    readRecords(numKeys: number, ...keysAndArgs: ScriptArg[]): Result<Array<number | string>, Context>;
    setOffsets(
      subscriptions: string,
      offsets: string,
      topic: string,
      topicId: string,
      ...partitionOffsets: ScriptArg[]
    ): Result<number, Context>;
  }
}

const luaDir = fileURLToPath(new URL('../../lua/', import.meta.url));

interface ScriptFile {
  name: string;
  numberOfKeys: number | undefined;
  lua: string;
}

let cached: ScriptFile[] | undefined;

function scriptFiles(): ScriptFile[] {
  cached ??= readdirSync(luaDir)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^([A-Za-z]+)(?:-(\d+))?\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script file name must be name.lua or name-N.lua: ${file}`);
      return {
        name: match[1]!,
        numberOfKeys: match[2] === undefined ? undefined : Number(match[2]),
        lua: readFileSync(luaDir + file, 'utf8'),
      };
    });
  return cached;
}

export function defineScripts(redis: Redis | Cluster): void {
  for (const { name, numberOfKeys, lua } of scriptFiles()) {
    redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
  }
}
