--[[
  checkSequence: Kafka's sequence rule for an idempotent producer's batch on one partition: a batch must
  start at the sequence that follows the producer's previous batch. Run just before the batch's append on
  the same shard (the key carries the partition's hash tag); duplicates themselves are stopped by the
  append's record ids (appendRecords.lua), so a retried batch passes here as "before the expected one".

  KEYS[1]  the producer's state on the partition: string, the next sequence expected; expires when the
           producer sends nothing for the dedup window (its ids are forgotten then too)

  ARGV[1]  the batch's base sequence
  ARGV[2]  records in the batch
  ARGV[3]  how long to remember the producer, ms (the topic's dedup window)

  Returns the next sequence expected before this batch, or -1 when the producer is not remembered. The state
  moves past the batch when the batch is the one expected or nothing was remembered; a batch before it (a
  retry) only renews it; a batch after it (a gap: OUT_OF_ORDER_SEQUENCE_NUMBER for the caller) leaves it.
]]
local expected = tonumber(redis.call('GET', KEYS[1]) or '-1')
local base = tonumber(ARGV[1])
if expected == -1 or base == expected then
  redis.call('SET', KEYS[1], base + tonumber(ARGV[2]), 'PX', ARGV[3])
elseif base < expected then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return expected
