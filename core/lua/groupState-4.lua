--[[
  groupState: what a member needs to work out its assignment, read in one step: the group's generation, the
  partitions whose leases the member holds, and (when the caller's copy is of another generation) every
  member. With ARGV[3] = '1' it is also the member's heartbeat: its session deadline moves forward.

  KEYS[1]  group meta hash (generation, dead_letter_topic)
  KEYS[2]  members hash: member id -> description (JSON, with session_timeout_ms)
  KEYS[3]  sessions zset: member id -> session deadline (ms)
  KEYS[4]  owners hash: partition -> member id holding its lease

  ARGV[1]  member id
  ARGV[2]  the generation of the member list the caller already has (-1: none)
  ARGV[3]  '1' to extend the member's session (a heartbeat)

  Returns  {now (ms, this shard's clock), generation, {partitions the member holds},
           1 and {member id, description, ...} when ARGV[2] is not the generation, else 0 and {},
           the group's dead_letter_topic setting (nil when unset: a pattern never matches dead-letter topics)}
  Errors   {-7}  no such member, or its session has expired
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]

local deadline = redis.call('ZSCORE', KEYS[3], id)
if not deadline or tonumber(deadline) < now then return {-7} end
if ARGV[3] == '1' then
  local member = cjson.decode(redis.call('HGET', KEYS[2], id))
  redis.call('ZADD', KEYS[3], now + member.session_timeout_ms, id)
end

local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
local held = {}
local owners = redis.call('HGETALL', KEYS[4])
for i = 1, #owners, 2 do
  if owners[i + 1] == id then held[#held + 1] = owners[i] end
end
local dead_letters = redis.call('HGET', KEYS[1], 'dead_letter_topic')
if tonumber(ARGV[2]) == generation then return {now, generation, held, 0, {}, dead_letters} end
return {now, generation, held, 1, redis.call('HGETALL', KEYS[2]), dead_letters}
