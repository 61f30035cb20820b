--[[
  updateMembers: change a consumer group's membership in one step: add a member (join), remove one (leave),
  and/or remove every member whose session has expired (the sweep). Removed members' leases end at once, so
  their partitions are free for the members rendezvous hashing now gives them to (docs/invariants.md I10). Any change
  bumps the group's generation and publishes it, waking the members' waiting fetches.

  KEYS[1]  group meta hash (generation, created_at, config)
  KEYS[2]  members hash: member id -> description (JSON: name, session_timeout_ms, topics | pattern, from, ...)
  KEYS[3]  sessions zset: member id -> session deadline (ms, this shard's clock)
  KEYS[4]  owners hash: partition -> member id holding its lease
  KEYS[5]  positions hash: partition -> next offset its holder fetches
  KEYS[6]  the group's `changed` shard channel

  ARGV[1]  '1': also remove every member whose session deadline has passed
  ARGV[2]  a member id to remove (leave), or ''
  ARGV[3]  a member id to add (join), or ''; a member of the same name already there is replaced (fenced)
  ARGV[4]  the added member's name
  ARGV[5]  the added member's description (JSON, with session_timeout_ms)
  ARGV[6]  the added member's session timeout (ms)
  ARGV[7..] group config field, value pairs to store (a join may set them)

  Returns  {generation, members removed, earliest session deadline left (-1: no members), the added
           member's session deadline (-1: none added)}
  Errors   {-7}  ARGV[2] is not a member
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local gone = {}
if ARGV[2] ~= '' then
  if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return {-7} end
  gone[ARGV[2]] = true
end
if ARGV[1] == '1' then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now)) do gone[id] = true end
end
if ARGV[3] ~= '' then
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    if cjson.decode(all[i + 1]).name == ARGV[4] then gone[all[i]] = true end
  end
end

local removed = 0
for id in pairs(gone) do
  removed = removed + redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
if removed > 0 then
  local owners = redis.call('HGETALL', KEYS[4])
  for i = 1, #owners, 2 do
    if gone[owners[i + 1]] then
      redis.call('HDEL', KEYS[4], owners[i])
      redis.call('HDEL', KEYS[5], owners[i])
    end
  end
end

local deadline = -1
if ARGV[3] ~= '' then
  deadline = now + tonumber(ARGV[6])
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
  redis.call('ZADD', KEYS[3], deadline, ARGV[3])
  redis.call('HSETNX', KEYS[1], 'created_at', now)
end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end

local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if removed > 0 or ARGV[3] ~= '' then
  generation = redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('SPUBLISH', KEYS[6], generation)
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
local earliest = -1
if #first > 0 then earliest = tonumber(first[2]) end
return {generation, removed, earliest, deadline}
