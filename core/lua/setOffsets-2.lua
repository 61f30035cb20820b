--[[
  setOffsets: store one consumer's next offset to read for some partitions of a topic (seek, commit). The
  caller has checked each offset against its partition's log start and next offset.

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic (partition -> next offset to read)

  ARGV[1]  topic name
  ARGV[2]  topic id: the subscription counts only if it was made to this id
  ARGV[3..] partition, offset pairs

  Returns  the number of partitions set
  Errors   -3  not subscribed to this topic (or only to an earlier topic of the same name)
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -3 end
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return (#ARGV - 2) / 2
