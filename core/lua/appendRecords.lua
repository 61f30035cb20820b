--[[
  appendRecords: append records to one partition, assigning contiguous offsets (docs/invariants.md I1), skipping
  records whose idempotency id was already appended within the topic's dedup window (I8).

  Keys are declared, never built here (the Redis Cluster rule), so the caller passes the segment lists the
  batch may land in, starting from a hint of the partition's next offset. If the records would land outside
  them, nothing is written and the true next offset comes back for a retry.

  KEYS[1]     partition state hash (next, start, last_ts, deleted)
  KEYS[2]     segment index zset (member base offset, score first append time)
  KEYS[3]     shard channel to publish the new next offset on (wakes long-polling readers); declared as a
              key because in Redis Cluster a sharded channel lives on its hash slot like a key
  KEYS[4]     ids hash: record id -> "<offset> <timestamp>" of the record that carried it
  KEYS[5]     ids log: the ids in append order, each append's ids after a header "<count> <timestamp>",
              so expired ids are found at its head (cheaper per id than a sorted set)
  KEYS[6..n]  segment lists for bases ARGV[2], ARGV[2] + S, ARGV[2] + 2S, ...

  ARGV[1]     S, records per segment
  ARGV[2]     base offset of KEYS[6]
  ARGV[3]     dedup window in ms, or 0 when no record of this call carries an id
  ARGV[4..]   with a window: n record ids ('' for a record without one), then the n record payloads;
              without: the record payloads. Payloads and ids are in request order.

  Returns {firstOffset, timestamp, [index, offset, timestamp]...}: the records that were appended got
  offsets firstOffset, firstOffset + 1, ... in order, all stamped with timestamp (ms, Redis' clock, never
  below the partition's previous append); each triple names a record (1-based index) that was a duplicate
  and the offset and timestamp of the record that carried its id first.
  Errors (core/src/storage/result-codes.ts):
           {-1}             the partition does not exist
           {-2}             the topic was deleted
           {-4, nextOffset} the declared segments do not cover the batch; retry with nextOffset as the hint
]]
local state = redis.call('HMGET', KEYS[1], 'next', 'deleted', 'last_ts')
if not state[1] then return {-1} end
if state[2] then return {-2} end

local next_offset = tonumber(state[1])
local S = tonumber(ARGV[1])
local first_declared = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local count = #ARGV - 3
local first_payload = 4
if window > 0 then
  count = count / 2
  first_payload = 4 + count
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local last_ts = tonumber(state[3])
if last_ts and now < last_ts then now = last_ts end

-- Which records are new. Without ids, all of them: `fresh` stays nil and payloads are read in place.
-- Nothing is written before the segment check below passes. Redis calls are batched (HMGET, HSET, RPUSH of
-- many at once): a call per id would cost more than the append itself.
local CHUNK = 1000 -- values per call: Lua's unpack() is limited to a few thousand
local fresh = nil
local fields = {} -- new ids and their values, flat: id, "<offset> <timestamp>", id, ...
local log = {}    -- the same ids, after the log header
local reply = {next_offset, now}
local cutoff = now - window
if window > 0 then
  fresh = {}
  local stored = {}
  for from = 0, count - 1, CHUNK do
    local values = redis.call('HMGET', KEYS[4], unpack(ARGV, 4 + from, 3 + math.min(from + CHUNK, count)))
    for k = 1, #values do stored[from + k] = values[k] end
  end
  local seen = {} -- id -> offset, for ids repeated within this call
  local suffix = ' ' .. now
  log[1] = ''
  for j = 0, count - 1 do
    local id = ARGV[4 + j]
    local offset = nil
    local ts = now
    if id ~= '' then
      offset = seen[id]
      local value = stored[j + 1]
      if not offset and value then
        local space = string.find(value, ' ', 1, true)
        ts = tonumber(string.sub(value, space + 1))
        if ts >= cutoff then offset = tonumber(string.sub(value, 1, space - 1)) end
        if not offset then ts = now end
      end
    end
    if offset then
      reply[#reply + 1] = j + 1
      reply[#reply + 1] = offset
      reply[#reply + 1] = ts
    else
      fresh[#fresh + 1] = first_payload + j
      if id ~= '' then
        offset = next_offset + #fresh - 1
        seen[id] = offset
        fields[#fields + 1] = id
        fields[#fields + 1] = offset .. suffix
        log[#log + 1] = id
      end
    end
  end
  log[1] = (#log - 1) .. suffix
  count = #fresh
end
if count == 0 then return reply end

local last_offset = next_offset + count - 1
local first_base = next_offset - next_offset % S
local last_base = last_offset - last_offset % S
if first_base < first_declared or last_base > first_declared + (#KEYS - 6) * S then
  return {-4, next_offset}
end

if #fields > 0 then
  for from = 1, #fields, 2 * CHUNK do redis.call('HSET', KEYS[4], unpack(fields, from, math.min(from + 2 * CHUNK - 1, #fields))) end
  for from = 1, #log, CHUNK do redis.call('RPUSH', KEYS[5], unpack(log, from, math.min(from + CHUNK - 1, #log))) end
end
if window > 0 then
  -- Forget ids that left the window, a bounded number per call: dedup state stays bounded by the window.
  local forgotten = 0
  while forgotten < CHUNK do
    local header = redis.call('LINDEX', KEYS[5], 0)
    if not header then break end
    local space = string.find(header, ' ', 1, true)
    if tonumber(string.sub(header, space + 1)) >= cutoff then break end
    local n = tonumber(string.sub(header, 1, space - 1))
    local expired = redis.call('LPOP', KEYS[5], n + 1)
    for from = 2, #expired, CHUNK do redis.call('HDEL', KEYS[4], unpack(expired, from, math.min(from + CHUNK - 1, #expired))) end
    forgotten = forgotten + n
  end
end

local prefix = now .. ' '
local offset = next_offset
local k = 1
while k <= count do
  local base = offset - offset % S
  local n = math.min(base + S - offset, count - k + 1)
  local segment = KEYS[6 + (base - first_declared) / S]
  if offset == base then redis.call('ZADD', KEYS[2], now, base) end
  local entries = {}
  for m = k, k + n - 1 do
    local at = first_payload + m - 1
    if fresh then at = fresh[m] end
    entries[#entries + 1] = prefix .. ARGV[at]
    if #entries == CHUNK then
      redis.call('RPUSH', segment, unpack(entries))
      entries = {}
    end
  end
  if #entries > 0 then redis.call('RPUSH', segment, unpack(entries)) end
  k = k + n
  offset = offset + n
end

redis.call('HSET', KEYS[1], 'next', offset, 'last_ts', now)
redis.call('SPUBLISH', KEYS[3], offset)
return reply
