--[[
  applyRetention: drop whole segments whose records are all older than a cutoff, advancing the log-start
  offset (docs/invariants.md I1: offsets never shift; the log start moves instead). The active (last) segment is
  never dropped. A segment's records are all older than the cutoff when the next segment's first record is.

  KEYS[1]     partition state hash
  KEYS[2]     segment index zset
  KEYS[3..n]  segment lists, in offset order, from the current log start (ARGV[3]) on

  ARGV[1]     S, records per segment
  ARGV[2]     retention in ms: records appended longer ago than this (by this shard's clock, which stamped
              them) may go
  ARGV[3]     base offset of KEYS[3]
  ARGV[4]     the controller's epoch: work from a controller older than one this partition has seen is refused

  Returns  the new log-start offset
  Errors   -1  the partition does not exist
           -2  the partition was deleted
           -5  a newer controller has acted on this partition (this one is stale)
]]
local state = redis.call('HMGET', KEYS[1], 'start', 'next', 'deleted', 'controller_epoch')
if not state[2] then return -1 end
if state[3] then return -2 end
local epoch = tonumber(ARGV[4])
local fenced = tonumber(state[4] or '0')
if epoch < fenced then return -5 end
if epoch > fenced then redis.call('HSET', KEYS[1], 'controller_epoch', epoch) end
local S = tonumber(ARGV[1])
local time = redis.call('TIME')
local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[2])
local start = tonumber(state[1])
local first_declared = tonumber(ARGV[3])
for i = 3, #KEYS do
  local base = first_declared + (i - 3) * S
  if base >= start then
    local following = redis.call('ZSCORE', KEYS[2], base + S)
    if not following or tonumber(following) >= cutoff then break end
    redis.call('UNLINK', KEYS[i])
    redis.call('ZREM', KEYS[2], base)
    start = base + S
  end
end
if start ~= tonumber(state[1]) then redis.call('HSET', KEYS[1], 'start', start) end
return start
