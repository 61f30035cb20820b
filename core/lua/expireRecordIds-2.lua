--[[
  expireRecordIds: forget idempotency ids that left a partition's dedup window. Appends with ids do this as
  they go; the controller calls this too, so a partition that stopped receiving ids does not keep them.

  KEYS[1]  ids hash: record id -> "<offset> <timestamp>"
  KEYS[2]  ids zset: record id -> append time

  ARGV[1]  dedup window in ms (by this shard's clock, which stamped the ids)
  ARGV[2]  most ids to forget in this call (bounds how long it holds Redis)

  Returns  the number of ids forgotten
]]
local time = redis.call('TIME')
local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff, 'LIMIT', 0, tonumber(ARGV[2]))
if #expired == 0 then return 0 end
redis.call('HDEL', KEYS[1], unpack(expired))
redis.call('ZREM', KEYS[2], unpack(expired))
return #expired
