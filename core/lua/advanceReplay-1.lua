--[[
  advanceReplay: record that a replay scanned one source partition up to an offset, and what it found; the
  replay completes when every partition has reached its end. A compare-and-set on the partition's position:
  two runners of one replay (controllers overlapping for a moment) cannot both count the same records (the
  records they write are deduplicated by id either way).

  KEYS[1]  the replay's state hash

  ARGV[1]  source partition
  ARGV[2]  position the scan started from (must still be the stored one)
  ARGV[3]  position it reached
  ARGV[4]  records scanned, ARGV[5] matched by the filter, ARGV[6] written to the target
  ARGV[7]  the source topic's partition count (to see whether every partition is done)
  ARGV[8]  now (ms), ARGV[9] seconds the state is kept once the replay has ended

  Returns  1 advanced, 2 advanced and the replay completed, 0 the replay is no longer running (cancelled,
           failed or gone), -1 another runner moved the position first (nothing counted)
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
local p = ARGV[1]
if redis.call('HGET', KEYS[1], 'pos:' .. p) ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], 'pos:' .. p, ARGV[3])
redis.call('HINCRBY', KEYS[1], 'scanned', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'matched', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'written', ARGV[6])
for q = 0, tonumber(ARGV[7]) - 1 do
  local at = redis.call('HMGET', KEYS[1], 'pos:' .. q, 'end:' .. q)
  if tonumber(at[1]) < tonumber(at[2]) then return 1 end
end
redis.call('HSET', KEYS[1], 'status', 'completed', 'finished_at', ARGV[8])
redis.call('EXPIRE', KEYS[1], ARGV[9])
return 2
