--[[
  nackRecord: a member hands back a record it was delivered and could not process. Below the group's
  max_deliveries the record is scheduled for redelivery after a delay (the partition's other records go on
  meanwhile); at max_deliveries it is for the dead-letter topic (the caller writes it there, then calls
  settleRecords) or, with dead letters turned off, dropped. A repeated nack of a record already waiting for
  its redelivery changes nothing.

  KEYS[1]  group meta hash: max_deliveries, retry_delay_ms, dead_letter_topic ('' = off)
  KEYS[2]  sessions zset: member id -> session deadline (ms)
  KEYS[3]  owners hash: partition -> member id holding its lease
  KEYS[4]  positions hash: partition -> next offset its holder fetches
  KEYS[5]  deliveries hash: "<partition>:<offset>" -> "<count> <last reason>"
  KEYS[6]  the partition's retry zset: offset -> when it is due
  KEYS[7]  the partition's in-flight zset: redelivered offsets not yet acknowledged

  ARGV[1]  member id
  ARGV[2]  partition ("<topicId>:<p>")
  ARGV[3]  offset
  ARGV[4]  delay before the redelivery in ms, or '' for the group's retry_delay_ms
  ARGV[5]  reason (kept as the record's last reason)
  ARGV[6]  max_deliveries when the group sets none
  ARGV[7]  retry_delay_ms when the group sets none
  ARGV[8]  dead_letter_topic when the group sets none

  Returns  {1, delivery count, due (ms)}: redelivered when due
           {2, delivery count, -1, dead-letter topic template}: write it to the dead-letter topic, then settle
           {3, delivery count, -1}: dropped (dead letters are off)
  Errors   {-7}   no such member, or its session has expired
           {-8}   the member does not hold the partition's lease
           {-11}  the record was not delivered to this member under its lease
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]
local partition = ARGV[2]
local offset = ARGV[3]
local field = partition .. ':' .. offset

local deadline = redis.call('ZSCORE', KEYS[2], id)
if not deadline or tonumber(deadline) < now then return {-7} end
if redis.call('HGET', KEYS[3], partition) ~= id then return {-8} end

local entry = redis.call('HGET', KEYS[5], field)
local count = 1
if entry then count = tonumber(string.sub(entry, 1, string.find(entry, ' ', 1, true) - 1)) end
local inflight = redis.call('ZSCORE', KEYS[7], offset)
if entry and not inflight then return {1, count, tonumber(redis.call('ZSCORE', KEYS[6], offset))} end
local position = redis.call('HGET', KEYS[4], partition)
if not inflight and not (position and tonumber(offset) < tonumber(position)) then return {-11} end

local max = tonumber(redis.call('HGET', KEYS[1], 'max_deliveries') or ARGV[6])
if count >= max then
  local dead_letters = redis.call('HGET', KEYS[1], 'dead_letter_topic') or ARGV[8]
  if dead_letters ~= '' then return {2, count, -1, dead_letters} end
  redis.call('HDEL', KEYS[5], field)
  redis.call('ZREM', KEYS[6], offset)
  redis.call('ZREM', KEYS[7], offset)
  return {3, count, -1}
end

local delay = tonumber(ARGV[4] ~= '' and ARGV[4] or redis.call('HGET', KEYS[1], 'retry_delay_ms') or ARGV[7])
redis.call('HSET', KEYS[5], field, count .. ' ' .. ARGV[5])
redis.call('ZADD', KEYS[6], now + delay, offset)
redis.call('ZREM', KEYS[7], offset)
return {1, count, now + delay}
