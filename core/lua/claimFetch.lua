--[[
  claimFetch: the first step of a member's fetch. For each partition it names, says whether the member still
  holds its lease and where its fetch starts (the lease's fetch position, else the group's committed offset),
  and claims the partition's nacked records that are due for redelivery: each one's delivery count goes up,
  and it stays claimed (in flight) for the member's session timeout, after which it is due again unless the
  member acknowledged it by committing past its offset.

  KEYS[1]      members hash: member id -> description (JSON, with session_timeout_ms)
  KEYS[2]      sessions zset: member id -> session deadline (ms)
  KEYS[3]      owners hash: partition -> member id holding its lease
  KEYS[4]      positions hash: partition -> next offset its holder fetches
  KEYS[5]      offsets hash: partition -> committed offset
  KEYS[6]      deliveries hash: "<partition>:<offset>" -> "<count> <last reason>"
  KEYS[7..]    per partition of ARGV[3..], in order: its retry zset (offset -> due), its in-flight zset

  ARGV[1]      member id
  ARGV[2]      most redeliveries to claim, over all partitions
  ARGV[3..]    partitions ("<topicId>:<p>")

  Returns  {1, {per partition: {0} if the member does not hold it, else {1, start offset or '' (none
           committed yet), {offset, delivery count, ...} of the redeliveries claimed, in how many ms the
           partition's next redelivery is due (-1: none waits)}}}
  Errors   {-7}  no such member, or its session has expired
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]

local deadline = redis.call('ZSCORE', KEYS[2], id)
if not deadline or tonumber(deadline) < now then return {-7} end
local visibility = cjson.decode(redis.call('HGET', KEYS[1], id)).session_timeout_ms
local budget = tonumber(ARGV[2])

local out = {}
for i = 3, #ARGV do
  local partition = ARGV[i]
  local retry = KEYS[7 + (i - 3) * 2]
  local inflight = KEYS[8 + (i - 3) * 2]
  if redis.call('HGET', KEYS[3], partition) ~= id then
    out[#out + 1] = {0}
  else
    local start = redis.call('HGET', KEYS[4], partition) or redis.call('HGET', KEYS[5], partition) or ''
    local claimed = {}
    if budget > 0 then
      local due = redis.call('ZRANGEBYSCORE', retry, '-inf', now, 'LIMIT', 0, budget)
      for _, offset in ipairs(due) do
        local field = partition .. ':' .. offset
        local entry = redis.call('HGET', KEYS[6], field) or '1 '
        local space = string.find(entry, ' ', 1, true)
        local count = tonumber(string.sub(entry, 1, space - 1)) + 1
        redis.call('HSET', KEYS[6], field, count .. string.sub(entry, space))
        redis.call('ZADD', retry, now + visibility, offset)
        redis.call('ZADD', inflight, offset, offset)
        claimed[#claimed + 1] = tonumber(offset)
        claimed[#claimed + 1] = count
      end
      budget = budget - #due
    end
    local next_due = -1
    local waiting = redis.call('ZRANGE', retry, 0, 0, 'WITHSCORES')
    if #waiting > 0 then next_due = math.max(0, tonumber(waiting[2]) - now) end
    out[#out + 1] = {1, start, claimed, next_due}
  end
end
return {1, out}
