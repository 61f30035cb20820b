--[[
  resetGroupOffsets: set a group's committed offsets, only while it has no live members (as Kafka). Each
  partition named starts over: its lease, fetch position, delivered mark and nack state are dropped.

  KEYS[1]    sessions zset: member id -> session deadline (ms)
  KEYS[2]    owners hash
  KEYS[3]    positions hash
  KEYS[4]    offsets hash: partition -> committed offset
  KEYS[5]    delivered hash
  KEYS[6]    deliveries hash: "<partition>:<offset>" -> "<count> <last reason>"
  KEYS[7..]  per partition of ARGV, in order: its retry zset, its in-flight zset

  ARGV[1..]  partition ("<topicId>:<p>"), offset pairs

  Returns  the number of partitions set
  Errors   -10  the group has a live member
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if #redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'LIMIT', 0, 1) > 0 then return -10 end

local reset = {}
for i = 1, #ARGV, 2 do
  local partition = ARGV[i]
  redis.call('HSET', KEYS[4], partition, ARGV[i + 1])
  redis.call('HDEL', KEYS[2], partition)
  redis.call('HDEL', KEYS[3], partition)
  redis.call('HDEL', KEYS[5], partition)
  redis.call('DEL', KEYS[7 + (i - 1)], KEYS[8 + (i - 1)])
  reset[partition .. ':'] = true
end
for _, field in ipairs(redis.call('HKEYS', KEYS[6])) do
  if reset[string.match(field, '^(.*:)[^:]*$')] then redis.call('HDEL', KEYS[6], field) end
end
return #ARGV / 2
