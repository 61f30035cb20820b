--[[
  appendRecords: append records to one partition, assigning contiguous offsets (docs/invariants.md I1), skipping
  records whose idempotency id was already appended within the topic's dedup window (I8).

  Keys are declared, never built here (the Redis Cluster rule), so the caller passes the segment lists the
  batch may land in, starting from a hint of the partition's next offset. If the records would land outside
  them, nothing is written and the true next offset comes back for a retry.

  KEYS[1]     partition state hash (next, start, last_ts, deleted; ids_gen, ids_since: see KEYS[4])
  KEYS[2]     segment index zset (member base offset, score first append time)
  KEYS[3]     shard channel to publish the new next offset on (wakes long-polling readers); declared as a
              key because in Redis Cluster a sharded channel lives on its hash slot like a key
  KEYS[4..5]  two generations of ids, hashes record id -> "<offset> <timestamp>" of the record that carried
              it. New ids go to the current one (KEYS[4 + ids_gen]); once it is a window old, the other
              (every id in it older than the window) is dropped whole and becomes the current one. An id is
              remembered for between one and two windows, and forgetting costs no work per id.
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
local state = redis.call('HMGET', KEYS[1], 'next', 'deleted', 'last_ts', 'ids_gen', 'ids_since')
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
-- Nothing is written before the segment check below passes. Redis calls are batched (HMGET, HSET of many
-- at once): a call per id would cost more than the append itself.
local CHUNK = 1000 -- values per call: Lua's unpack() is limited to a few thousand
local fresh = nil
local fields = {} -- new ids and their values, flat: id, "<offset> <timestamp>", id, ...
local reply = {next_offset, now}
local cutoff = now - window
local generation = tonumber(state[4]) or 0
local rotate = window > 0 and now - (tonumber(state[5]) or 0) >= window
if window > 0 then
  fresh = {}
  local stored = {}
  for from = 0, count - 1, CHUNK do
    local last = 3 + math.min(from + CHUNK, count)
    local current = redis.call('HMGET', KEYS[4 + generation], unpack(ARGV, 4 + from, last))
    local previous = redis.call('HMGET', KEYS[5 - generation], unpack(ARGV, 4 + from, last))
    for k = 1, #current do stored[from + k] = current[k] or previous[k] end
  end
  local seen = {} -- id -> offset, for ids repeated within this call
  local suffix = ' ' .. now
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
      end
    end
  end
  count = #fresh
end
if count == 0 and not rotate then return reply end

local last_offset = next_offset + count - 1
local first_base = next_offset - next_offset % S
local last_base = last_offset - last_offset % S
if count > 0 and (first_base < first_declared or last_base > first_declared + (#KEYS - 6) * S) then
  return {-4, next_offset}
end

if rotate then
  -- The current generation is a window old: every id of the other one is older than that. Drop it (UNLINK
  -- frees it off Redis' main thread) and make it the current one; after two windows without ids, both go.
  if now - (tonumber(state[5]) or 0) >= 2 * window then redis.call('UNLINK', KEYS[4 + generation]) end
  generation = 1 - generation
  redis.call('UNLINK', KEYS[4 + generation])
  redis.call('HSET', KEYS[1], 'ids_gen', generation, 'ids_since', now)
end
for from = 1, #fields, 2 * CHUNK do redis.call('HSET', KEYS[4 + generation], unpack(fields, from, math.min(from + 2 * CHUNK - 1, #fields))) end
if count == 0 then return reply end

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
