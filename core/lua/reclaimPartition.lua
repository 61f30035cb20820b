--[[
  reclaimPartition: free the storage of a deleted partition. Called by the controller in steps, each
  covering some segments, so that no single call blocks Redis for long.

  KEYS[1]     partition state hash (must be marked deleted)
  KEYS[2]     segment index zset
  KEYS[3]     ids hash (idempotency ids)
  KEYS[4]     ids log
  KEYS[5..n]  segment lists to remove in this step

  ARGV[1]     1 if this is the last step: also remove the index and the ids, and let the tombstone expire
  ARGV[2]     tombstone lifetime in seconds
  ARGV[3]     the controller's epoch: work from a controller older than one this partition has seen is refused

  Returns  number of segment lists removed
  Errors   -5  a newer controller has acted on this partition (this one is stale)
           -6  the partition is not marked deleted (nothing removed)
]]
local state = redis.call('HMGET', KEYS[1], 'deleted', 'controller_epoch')
if state[1] ~= '1' then return -6 end
local epoch = tonumber(ARGV[3])
local fenced = tonumber(state[2] or '0')
if epoch < fenced then return -5 end
if epoch > fenced then redis.call('HSET', KEYS[1], 'controller_epoch', epoch) end
local removed = 0
for i = 5, #KEYS do removed = removed + redis.call('UNLINK', KEYS[i]) end
if ARGV[1] == '1' then
  redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return removed
