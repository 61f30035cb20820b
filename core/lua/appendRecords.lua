--[[
  appendRecords: append records to one partition, assigning contiguous offsets (DESIGN.md I1).

  Keys are declared, never built here (the Redis Cluster rule), so the caller passes the segment lists the
  batch may land in, starting from a hint of the partition's next offset. If the records would land outside
  them, nothing is written and the true next offset comes back for a retry.

  KEYS[1]     partition state hash (next, start, last_ts, deleted)
  KEYS[2]     segment index zset (member base offset, score first append time)
  KEYS[3]     shard channel to publish the new next offset on (wakes long-polling readers); declared as a
              key because in Redis Cluster a sharded channel lives on its hash slot like a key
  KEYS[4..n]  segment lists for bases ARGV[2], ARGV[2] + S, ARGV[2] + 2S, ...

  ARGV[1]     S, records per segment
  ARGV[2]     base offset of KEYS[4]
  ARGV[3..]   record payloads, in order

  Returns {firstOffset, timestamp}: offsets firstOffset .. firstOffset + #records - 1, all stamped with
  timestamp (ms, Redis' clock, never below the partition's previous append).
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
local count = #ARGV - 2
local last_offset = next_offset + count - 1
local first_base = next_offset - next_offset % S
local last_base = last_offset - last_offset % S
if first_base < first_declared or last_base > first_declared + (#KEYS - 4) * S then
  return {-4, next_offset}
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local last_ts = tonumber(state[3])
if last_ts and now < last_ts then now = last_ts end
local prefix = now .. ' '

-- RPUSH in chunks: Lua's unpack() is limited to a few thousand values.
local CHUNK = 1000
local offset = next_offset
local i = 3
while i <= #ARGV do
  local base = offset - offset % S
  local n = math.min(base + S - offset, #ARGV - i + 1)
  local segment = KEYS[4 + (base - first_declared) / S]
  if offset == base then redis.call('ZADD', KEYS[2], now, base) end
  local entries = {}
  for j = i, i + n - 1 do
    entries[#entries + 1] = prefix .. ARGV[j]
    if #entries == CHUNK then
      redis.call('RPUSH', segment, unpack(entries))
      entries = {}
    end
  end
  if #entries > 0 then redis.call('RPUSH', segment, unpack(entries)) end
  i = i + n
  offset = offset + n
end

redis.call('HSET', KEYS[1], 'next', offset, 'last_ts', now)
redis.call('SPUBLISH', KEYS[3], offset)
return {next_offset, now}
