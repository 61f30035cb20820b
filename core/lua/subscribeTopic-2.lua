--[[
  subscribeTopic: subscribe one consumer (email) to a topic.

  A subscription records the id of the topic it was made to: a topic deleted and re-created under the same
  name has a new id, so its old subscription and offsets are dead (docs/invariants.md I4). Subscribing again replaces
  such a stale subscription and drops its offsets.

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic (partition -> next offset to read; missing = log start)

  ARGV[1]  topic name
  ARGV[2]  topic id
  ARGV[3..] starting offsets as partition, offset pairs (none: every partition starts at its log start)

  Returns  1 if subscribed now, 2 if a stale subscription (older topic id) was replaced,
           0 if already subscribed to this topic id (offsets left untouched)
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == ARGV[2] then return 0 end

redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
if current then return 2 end
return 1
