--[[
  dueGroupSweeps: the groups whose sessions are due for a check: some member's session may have expired.

  KEYS[1]  the group index zset: group -> earliest time one of its sessions may expire (+inf: no members)

  ARGV[1]  most groups to answer

  Returns  {group, noted time, group, noted time, ...}, earliest first
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
