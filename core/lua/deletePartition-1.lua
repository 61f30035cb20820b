--[[
  deletePartition: make a partition unreadable and unwritable at once (docs/invariants.md I4). Its segments are
  reclaimed later by reclaimPartition; the state hash stays as a tombstone so a writer with stale metadata
  is refused instead of recreating the log.

  KEYS[1]  partition state hash
  Returns  {start, next} of the deleted log, or {-1} if the partition does not exist
]]
local state = redis.call('HMGET', KEYS[1], 'start', 'next')
if not state[2] then return {-1} end
redis.call('HSET', KEYS[1], 'deleted', 1)
return {tonumber(state[1]), tonumber(state[2])}
