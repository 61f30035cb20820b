--[[
  kafkaGroup: one step of Kafka's consumer group protocol on one group's keys (the broker's Kafka listener is
  the coordinator of every group; the state is here, so any broker serves any member).

  One script for every step because they share the same rules: sessions expire, a membership change starts a
  rebalance, a rebalance completes once every member has joined again or its deadline passed.

  Phases: empty (no members) -> joining (a rebalance: members send JoinGroup until all have, or the deadline)
  -> syncing (generation bumped, leader chosen: the leader's SyncGroup brings the assignment) -> stable.

  KEYS[1]  state hash: generation, phase, protocol_type, protocol, leader, deadline (ms, Redis' clock)
  KEYS[2]  members hash: member id -> JSON {client_id, client_host, session_timeout, rebalance_timeout,
           protocols: [[name, base64 metadata], ...]}
  KEYS[3]  sessions zset: member id -> session deadline (ms)
  KEYS[4]  joined set: members that have joined the rebalance in progress
  KEYS[5]  assignments hash: member id -> base64 assignment of the current generation
  KEYS[6]  offsets hash: "<topicId>:<partition>" -> committed offset
  KEYS[7]  shard channel published on every change (wakes JoinGroup and SyncGroup waiters)

  ARGV[1]  the step, ARGV[2] the member id, then per step:
    join       ARGV[3] the id for a new member (used when ARGV[2] is ''), ARGV[4] protocol type,
               ARGV[5] the member JSON
    await      -                     (has the rebalance this member joined completed?)
    sync       ARGV[3] generation, ARGV[4..] member id, base64 assignment pairs (the leader's)
    heartbeat  ARGV[3] generation
    leave      -
    commit     ARGV[3] generation, ARGV[4..] "<topicId>:<p>", offset pairs
    delete     -                     (ARGV[2] is ''; the group's keys go, its offsets included)

  Returns {error} with a Kafka error code (0 none; 25 UNKNOWN_MEMBER_ID, 22 ILLEGAL_GENERATION,
  27 REBALANCE_IN_PROGRESS, 23 INCONSISTENT_GROUP_PROTOCOL, 68 NON_EMPTY_GROUP, 69 GROUP_ID_NOT_FOUND), or
  {-1, ms} for "not yet: ask again within ms",
  and on success:
    join       {0, member id}
    await      {0, generation, protocol, leader, member id, [member, base64 metadata, ...] (leader only)}
    sync       {0, base64 assignment}
    heartbeat, leave, commit, delete  {0}
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local member = ARGV[2]

local function get(field) return redis.call('HGET', KEYS[1], field) end
local function phase() return get('phase') or 'empty' end
local function generation() return tonumber(get('generation') or '0') end
local function describe(id) return cjson.decode(redis.call('HGET', KEYS[2], id)) end
local function changed() redis.call('SPUBLISH', KEYS[7], op) end

local function remove(id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('SREM', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end

local function start_rebalance()
  if redis.call('HLEN', KEYS[2]) == 0 then
    redis.call('HSET', KEYS[1], 'phase', 'empty')
    redis.call('DEL', KEYS[4], KEYS[5])
    return
  end
  local longest = 0
  for _, json in ipairs(redis.call('HVALS', KEYS[2])) do
    local m = cjson.decode(json)
    if m.rebalance_timeout > longest then longest = m.rebalance_timeout end
  end
  redis.call('HSET', KEYS[1], 'phase', 'joining', 'deadline', now + longest)
  redis.call('DEL', KEYS[4], KEYS[5])
end

-- Members whose session ran out leave; the others rebalance without them.
local function expire()
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, id in ipairs(expired) do remove(id) end
  if #expired > 0 and phase() ~= 'joining' then start_rebalance() end
  return #expired
end

local function touch(id)
  redis.call('ZADD', KEYS[3], now + describe(id).session_timeout, id)
end

-- The first protocol of the leader's that every member also offers.
local function choose_protocol(leader, ids)
  for _, candidate in ipairs(describe(leader).protocols) do
    local everyone = true
    for _, id in ipairs(ids) do
      local offered = false
      for _, p in ipairs(describe(id).protocols) do if p[1] == candidate[1] then offered = true end end
      if not offered then everyone = false end
    end
    if everyone then return candidate[1] end
  end
  return nil
end

local function try_complete()
  if phase() ~= 'joining' then return end
  local members = redis.call('HLEN', KEYS[2])
  if redis.call('SCARD', KEYS[4]) < members and now < tonumber(get('deadline')) then return end
  -- Whoever did not join again in time is out of the group.
  for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
    if redis.call('SISMEMBER', KEYS[4], id) == 0 then remove(id) end
  end
  local ids = redis.call('SMEMBERS', KEYS[4])
  if #ids == 0 then
    redis.call('HSET', KEYS[1], 'phase', 'empty')
    return
  end
  table.sort(ids)
  local leader = get('leader')
  if not leader or redis.call('SISMEMBER', KEYS[4], leader) == 0 then leader = ids[1] end
  local protocol = choose_protocol(leader, ids) or describe(leader).protocols[1][1]
  redis.call('HSET', KEYS[1], 'generation', generation() + 1, 'phase', 'syncing', 'leader', leader, 'protocol', protocol)
  for _, id in ipairs(ids) do touch(id) end
  changed()
end

if op == 'join' then
  expire()
  if member ~= '' and redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
  local protocol_type = get('protocol_type')
  if redis.call('HLEN', KEYS[2]) > 0 and protocol_type and protocol_type ~= ARGV[4] then return {23} end
  if member == '' then member = ARGV[3] end
  local m = cjson.decode(ARGV[5])
  redis.call('HSET', KEYS[2], member, ARGV[5])
  redis.call('HSET', KEYS[1], 'protocol_type', ARGV[4])
  -- A member waiting for the others is not expired meanwhile: the rebalance deadline decides.
  redis.call('ZADD', KEYS[3], now + math.max(m.session_timeout, m.rebalance_timeout), member)
  if phase() ~= 'joining' then start_rebalance() end
  redis.call('SADD', KEYS[4], member)
  try_complete()
  changed()
  return {0, member}
end

if op == 'await' then
  expire()
  try_complete()
  if redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
  if phase() == 'joining' then return {-1, math.max(tonumber(get('deadline')) - now, 0)} end
  local leader = get('leader')
  local reply = {0, generation(), get('protocol'), leader, member, {}}
  if leader == member then
    local protocol = get('protocol')
    for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
      for _, p in ipairs(describe(id).protocols) do
        if p[1] == protocol then
          table.insert(reply[6], id)
          table.insert(reply[6], p[2])
        end
      end
    end
  end
  return reply
end

if op == 'sync' then
  if redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
  if tonumber(ARGV[3]) ~= generation() then return {22} end
  if phase() == 'joining' then return {27} end
  touch(member)
  if phase() == 'syncing' then
    if member ~= get('leader') then return {-1, describe(member).session_timeout} end
    for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
    redis.call('HSET', KEYS[1], 'phase', 'stable')
    changed()
  end
  return {0, redis.call('HGET', KEYS[5], member) or ''}
end

if op == 'heartbeat' then
  expire()
  if redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
  touch(member)
  if tonumber(ARGV[3]) ~= generation() then return {22} end
  if phase() == 'joining' then return {27} end
  return {0}
end

if op == 'leave' then
  if redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
  remove(member)
  start_rebalance()
  try_complete()
  changed()
  return {0}
end

if op == 'commit' then
  -- A consumer outside the group protocol (assign mode: no member, generation -1) commits only to a group
  -- without members, as in Kafka.
  if member == '' then
    if redis.call('HLEN', KEYS[2]) > 0 then return {25} end
  else
    if redis.call('HEXISTS', KEYS[2], member) == 0 then return {25} end
    if tonumber(ARGV[3]) ~= generation() then return {22} end
    if phase() == 'syncing' then return {27} end
  end
  for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1]) end
  return {0}
end

if op == 'delete' then
  expire()
  if redis.call('HLEN', KEYS[2]) > 0 then return {68} end
  if redis.call('EXISTS', KEYS[1], KEYS[6]) == 0 then return {69} end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
  return {0}
end

return redis.error_reply('kafkaGroup: unknown step ' .. tostring(op))
