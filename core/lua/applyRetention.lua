--[[
  applyRetention: drop whole segments whose records are all older than a cutoff, advancing the log-start
  offset (DESIGN.md I1: offsets never shift; the log start moves instead). The active (last) segment is
  never dropped. A segment's records are all older than the cutoff when the next segment's first record is.

  KEYS[1]     partition state hash
  KEYS[2]     segment index zset
  KEYS[3..n]  segment lists, in offset order, from the current log start (ARGV[3]) on

  ARGV[1]     S, records per segment
  ARGV[2]     cutoff: append time in ms; records older than this may go
  ARGV[3]     base offset of KEYS[3]

  Returns  the new log-start offset, or -1 if the partition is gone or deleted
]]
local state = redis.call('HMGET', KEYS[1], 'start', 'next', 'deleted')
if not state[2] or state[3] then return -1 end
local S = tonumber(ARGV[1])
local cutoff = tonumber(ARGV[2])
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
