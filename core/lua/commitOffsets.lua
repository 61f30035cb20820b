--[[
  commitOffsets: a member commits offsets (each the next offset to read, Kafka's convention) for partitions
  whose leases it holds; all or nothing. A commit never moves the committed offset back, and it
  acknowledges the redelivered (nacked) records below it that were handed out. Counts as a heartbeat.

  KEYS[1]    members hash: member id -> description (JSON, with session_timeout_ms)
  KEYS[2]    sessions zset: member id -> session deadline (ms)
  KEYS[3]    owners hash: partition -> member id holding its lease
  KEYS[4]    positions hash: partition -> next offset its holder fetches
  KEYS[5]    offsets hash: partition -> committed offset
  KEYS[6]    deliveries hash: "<partition>:<offset>" -> "<count> <last reason>" of nacked records
  KEYS[7..]  per partition of ARGV, in order: its retry zset, its in-flight zset

  ARGV[1]    member id
  ARGV[2..]  partition ("<topicId>:<p>"), offset pairs; an offset of '' commits the fetch position (what the
             member's fetches have answered so far: auto-commit)

  Returns  {1}
  Errors   {-7}         no such member, or its session has expired
           {-8, index}  the member does not hold the lease of the index-th partition (1-based): nothing committed
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]

local deadline = redis.call('ZSCORE', KEYS[2], id)
if not deadline or tonumber(deadline) < now then return {-7} end
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[3], ARGV[i]) ~= id then return {-8, (i - 2) / 2 + 1} end
end

for i = 2, #ARGV, 2 do
  local partition = ARGV[i]
  local retry = KEYS[7 + (i - 2)]
  local inflight = KEYS[8 + (i - 2)]
  local position = redis.call('HGET', KEYS[4], partition)
  local offset = ARGV[i + 1]
  if offset == '' then offset = position end
  if offset then
    offset = tonumber(offset)
    if offset > tonumber(redis.call('HGET', KEYS[5], partition) or '-1') then redis.call('HSET', KEYS[5], partition, offset) end
    if position and tonumber(position) < offset then redis.call('HSET', KEYS[4], partition, offset) end
    local acknowledged = redis.call('ZRANGEBYSCORE', inflight, '-inf', '(' .. offset)
    for _, acked in ipairs(acknowledged) do
      redis.call('ZREM', retry, acked)
      redis.call('HDEL', KEYS[6], partition .. ':' .. acked)
    end
    if #acknowledged > 0 then redis.call('ZREMRANGEBYSCORE', inflight, '-inf', '(' .. offset) end
  end
end
local member = cjson.decode(redis.call('HGET', KEYS[1], id))
redis.call('ZADD', KEYS[2], now + member.session_timeout_ms, id)
return {1}
