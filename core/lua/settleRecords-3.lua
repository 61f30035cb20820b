--[[
  settleRecords: forget the nack state of records that are done with: written to the dead-letter topic, or
  gone from the log (retention) before their redelivery.

  KEYS[1]  deliveries hash: "<partition>:<offset>" -> "<count> <last reason>"
  KEYS[2]  the partition's retry zset
  KEYS[3]  the partition's in-flight zset

  ARGV[1]  partition ("<topicId>:<p>")
  ARGV[2..] offsets

  Returns  how many records had nack state
]]
local settled = 0
for i = 2, #ARGV do
  settled = settled + redis.call('HDEL', KEYS[1], ARGV[1] .. ':' .. ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i])
end
return settled
