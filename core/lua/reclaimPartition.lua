--[[
  reclaimPartition: free the storage of a deleted partition. Called by the controller in steps, each
  covering some segments, so that no single call blocks Redis for long.

  KEYS[1]     partition state hash (must be marked deleted)
  KEYS[2]     segment index zset
  KEYS[3..n]  segment lists to remove in this step

  ARGV[1]     1 if this is the last step: also remove the index and let the tombstone expire
  ARGV[2]     tombstone lifetime in seconds

  Returns  number of segment lists removed, or -1 if the partition is not marked deleted (nothing removed)
]]
if redis.call('HGET', KEYS[1], 'deleted') ~= '1' then return -1 end
local removed = 0
for i = 3, #KEYS do removed = removed + redis.call('UNLINK', KEYS[i]) end
if ARGV[1] == '1' then
  redis.call('UNLINK', KEYS[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return removed
