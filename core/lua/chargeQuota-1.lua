-- chargeQuota-1.lua: a leaky bucket of one principal's usage (bytes produced), shared by every broker. The
-- bucket drains at `rate` units per second and holds one second of rate: a request is let in while the
-- bucket is not over that, and then adds its whole cost, so a request larger than one second's worth still
-- passes once and the principal waits out the debt afterwards.
--
-- KEYS[1]  trib:quota:{<principal>}:produce-bytes  hash  level (units in the bucket), ts (ms, Redis' clock)
-- ARGV[1]  cost: units this request adds (> 0)
-- ARGV[2]  rate: units per second the bucket drains (> 0)
--
-- Returns 0 when the request was let in and charged, or else the ms until it would be (nothing charged).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])

local state = redis.call('HMGET', KEYS[1], 'level', 'ts')
local level = tonumber(state[1]) or 0
local ts = tonumber(state[2]) or now
level = math.max(0, level - math.max(0, now - ts) * rate / 1000)

if level > rate then
  return math.ceil((level - rate) * 1000 / rate)
end

level = level + cost
redis.call('HSET', KEYS[1], 'level', string.format('%.0f', level), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(level * 1000 / rate) + 1000)
return 0
