--[[
  forgetSubscription: end one consumer's subscription to a deleted topic, only if it was made to that topic
  (by its id): a subscription to a topic re-created under the same name since is left alone.

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic

  ARGV[1]  topic name
  ARGV[2]  the deleted topic's id

  Returns  1 if the subscription was ended, 0 if there was none to that id
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
