--[[
  scheduleGroupSweep: note in the group index when a group's sessions must next be checked, never later than
  a time already noted (a join with a short session moves it earlier). Registers the group if it is new.

  KEYS[1]  the group index zset: group -> earliest time one of its sessions may expire (+inf: no members)

  ARGV[1]  group
  ARGV[2]  in how many ms (this shard's clock), or '' to only register the group (at +inf if new)

  Returns  1
]]
if ARGV[2] == '' then
  redis.call('ZADD', KEYS[1], 'NX', '+inf', ARGV[1])
  return 1
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'LT', now + tonumber(ARGV[2]), ARGV[1])
return 1
