--[[
  finishReplay: end a running replay without completing it (cancelled, or failed with an error). A replay that
  already ended keeps its outcome.

  KEYS[1]  the replay's state hash

  ARGV[1]  the new status: cancelled | failed
  ARGV[2]  the error ('' for none), ARGV[3] now (ms), ARGV[4] seconds the state is kept from now

  Returns  1 ended now, 0 it had already ended (or is gone)
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'finished_at', ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
