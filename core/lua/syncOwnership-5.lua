--[[
  syncOwnership: bring a member's leases in line with the assignment it computed (rendezvous hashing over the
  member list of ARGV[2]'s generation). It releases the partitions no longer assigned to it, and takes those
  newly assigned only if nobody holds them, or their holder is no longer a live member: a partition changes
  hands only after its old holder released it or its session expired (docs/invariants.md I10). A new lease starts
  fetching at the group's committed offset. Changes publish on the group's channel, so a member waiting for
  a partition to be released hears of it.

  KEYS[1]  group meta hash (generation)
  KEYS[2]  sessions zset: member id -> session deadline (ms)
  KEYS[3]  owners hash: partition -> member id holding its lease
  KEYS[4]  positions hash: partition -> next offset its holder fetches
  KEYS[5]  the group's `changed` shard channel

  ARGV[1]  member id
  ARGV[2]  the generation the assignment was computed from
  ARGV[3]  n: how many partitions to release
  ARGV[4..3+n]  partitions to release ("<topicId>:<p>")
  ARGV[4+n..]   partitions to take

  Returns  {1, {partitions the member holds now}}
  Errors   {-7}  no such member, or its session has expired
           {-9}  the generation has moved on: read the members again and recompute
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]

local function live(member)
  local deadline = redis.call('ZSCORE', KEYS[2], member)
  return deadline and tonumber(deadline) >= now
end

if not live(id) then return {-7} end
if tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') ~= tonumber(ARGV[2]) then return {-9} end

local changed = false
local releases = tonumber(ARGV[3])
for i = 4, 3 + releases do
  if redis.call('HGET', KEYS[3], ARGV[i]) == id then
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('HDEL', KEYS[4], ARGV[i])
    changed = true
  end
end
for i = 4 + releases, #ARGV do
  local holder = redis.call('HGET', KEYS[3], ARGV[i])
  if holder ~= id and (not holder or not live(holder)) then
    redis.call('HSET', KEYS[3], ARGV[i], id)
    redis.call('HDEL', KEYS[4], ARGV[i])
    changed = true
  end
end
if changed then redis.call('SPUBLISH', KEYS[5], 'leases') end

local held = {}
local owners = redis.call('HGETALL', KEYS[3])
for i = 1, #owners, 2 do
  if owners[i + 1] == id then held[#held + 1] = owners[i] end
end
return {1, held}
