--[[
  expireRecordIds: forget idempotency ids that left a partition's dedup window. Appends with ids do this as
  they go; the controller calls this too, so a partition that stopped receiving ids does not keep them.

  KEYS[1]  ids hash: record id -> "<offset> <timestamp>"
  KEYS[2]  ids log: each append's ids after a header "<count> <timestamp>", oldest first

  ARGV[1]  dedup window in ms (by this shard's clock, which stamped the ids)
  ARGV[2]  about how many ids to forget at most in this call (bounds how long it holds Redis)

  Returns  the number of ids forgotten
]]
local time = redis.call('TIME')
local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local CHUNK = 1000
local forgotten = 0
while forgotten < limit do
  local header = redis.call('LINDEX', KEYS[2], 0)
  if not header then break end
  local space = string.find(header, ' ', 1, true)
  if tonumber(string.sub(header, space + 1)) >= cutoff then break end
  local n = tonumber(string.sub(header, 1, space - 1))
  local expired = redis.call('LPOP', KEYS[2], n + 1)
  for from = 2, #expired, CHUNK do redis.call('HDEL', KEYS[1], unpack(expired, from, math.min(from + CHUNK - 1, #expired))) end
  forgotten = forgotten + n
end
return forgotten
