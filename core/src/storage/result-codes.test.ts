import { describe, expect, it } from 'vitest';
import { errorTable } from '../errors.js';
import { ScriptResult, scriptError } from './result-codes.js';

describe('script result codes', () => {
  it('are distinct negative integers, one meaning each', () => {
    const codes = Object.values(ScriptResult);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toBeLessThan(0);
  });

  it('each map to the error its callers answer with', () => {
    const expected: Record<keyof typeof ScriptResult, keyof typeof errorTable> = {
      PARTITION_MISSING: 'TOPIC_NOT_FOUND',
      PARTITION_DELETED: 'TOPIC_NOT_FOUND',
      NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
      SEGMENTS_NOT_DECLARED: 'PARTITION_BUSY',
      STALE_CONTROLLER: 'STALE_CONTROLLER',
      NOT_DELETED: 'INTERNAL_ERROR',
      UNKNOWN_MEMBER: 'UNKNOWN_MEMBER',
      NOT_PARTITION_OWNER: 'NOT_PARTITION_OWNER',
      STALE_GENERATION: 'REBALANCE_IN_PROGRESS',
      GROUP_NOT_EMPTY: 'GROUP_NOT_EMPTY',
      NOT_DELIVERED: 'NOT_DELIVERED',
    };
    for (const [name, code] of Object.entries(ScriptResult)) {
      expect(scriptError(code, { topic: 't', partition: 0 }).code, name).toBe(expected[name as keyof typeof ScriptResult]);
    }
  });

  it('a busy partition is a retriable 503 of its own, not REDIS_UNAVAILABLE', () => {
    const busy = scriptError(ScriptResult.SEGMENTS_NOT_DECLARED, { topic: 't', partition: 3 });
    expect(busy).toMatchObject({ code: 'PARTITION_BUSY', statusCode: 503, retriable: true, context: { topic: 't', partition: 3 } });
  });

  it('an unknown code is an internal error naming it', () => {
    expect(scriptError(-99).message).toBe('unexpected script result -99');
  });
});
