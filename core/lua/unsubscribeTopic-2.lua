--[[
  unsubscribeTopic: end one consumer's subscription to a topic and forget its offsets. Works whatever became
  of the topic: only the consumer's own keys are consulted.

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic

  ARGV[1]  topic name

  Returns  the id of the topic the subscription was made to
  Errors   -3  not subscribed to this topic
]]
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return -3 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return id
