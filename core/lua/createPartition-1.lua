--[[
  createPartition: start an empty partition log at offset 0.

  KEYS[1]  partition state hash
  Returns  1 if created, 0 if it already existed (left untouched)
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'next', 0, 'start', 0)
return 1
