--[[
  deleteGroup: delete a consumer group and everything it stored, only while it has no live members (as
  Kafka's DeleteGroups).

  KEYS[1]    meta hash
  KEYS[2]    members hash
  KEYS[3]    sessions zset: member id -> session deadline (ms)
  KEYS[4..8] owners, positions, offsets, delivered and deliveries hashes
  KEYS[9..]  the retry and in-flight zsets of every partition with nack state

  Returns  1 if deleted, 0 if there was no such group
  Errors   -10  the group has a live member
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if #redis.call('ZRANGEBYSCORE', KEYS[3], now, '+inf', 'LIMIT', 0, 1) > 0 then return -10 end
if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[6]) == 0 then return 0 end
redis.call('DEL', unpack(KEYS))
return 1
