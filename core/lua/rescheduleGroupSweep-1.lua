--[[
  rescheduleGroupSweep: after a sweep of a group, note when its sessions must next be checked, only if the
  noted time is still the one the sweep read (compare-and-set): a join that noted an earlier time meanwhile
  wins, and two gateways sweeping at once agree.

  KEYS[1]  the group index zset: group -> earliest time one of its sessions may expire (+inf: no members)

  ARGV[1]  group
  ARGV[2]  the noted time the sweep read (as the index answered it)
  ARGV[3]  the next time (ms), or '+inf' when the group has no members

  Returns  1 if noted, 0 if the noted time had changed (left as it is)
]]
if redis.call('ZSCORE', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
