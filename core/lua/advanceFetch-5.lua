--[[
  advanceFetch: the last step of a member's fetch: move each partition's fetch position past the records the
  fetch read, only if the member still holds the lease and the position is still where the fetch started
  (compare-and-set). Two concurrent fetches of one member therefore never answer the same records, and a
  fetch whose member lost the partition meanwhile answers none of it (docs/invariants.md I10). Records with a
  nack pending (they come back through claimFetch) are named, so the fetch leaves them out.

  KEYS[1]  owners hash: partition -> member id holding its lease
  KEYS[2]  positions hash: partition -> next offset its holder fetches
  KEYS[3]  offsets hash: partition -> committed offset
  KEYS[4]  delivered hash: partition -> past the highest offset ever fetched
  KEYS[5]  deliveries hash: "<partition>:<offset>" -> "<count> <last reason>" of nacked records

  ARGV[1]  member id
  ARGV[2..] per partition, five values: the partition ("<topicId>:<p>"); the start claimFetch answered for
           it ('' for none); from; to (the fetch read offsets from .. to - 1); and '' or an offset to store as
           the committed offset if there is none yet (a group starting at the latest record pins that point)

  Returns  per partition: {0} if the position moved or the lease is gone (answer none of its records), else
           {1, the delivered mark before this fetch (offsets below it were fetched before), {offsets in
           [from, to) with a nack pending}}
]]
local id = ARGV[1]
local nacked = redis.call('HLEN', KEYS[5]) > 0
local out = {}
for i = 2, #ARGV, 5 do
  local partition = ARGV[i]
  local from = tonumber(ARGV[i + 2])
  local to = tonumber(ARGV[i + 3])
  local current = redis.call('HGET', KEYS[2], partition) or redis.call('HGET', KEYS[3], partition) or ''
  if redis.call('HGET', KEYS[1], partition) ~= id or current ~= ARGV[i + 1] then
    out[#out + 1] = {0}
  else
    redis.call('HSET', KEYS[2], partition, to)
    if ARGV[i + 4] ~= '' then redis.call('HSETNX', KEYS[3], partition, ARGV[i + 4]) end
    local mark = tonumber(redis.call('HGET', KEYS[4], partition) or '0')
    if to > mark then redis.call('HSET', KEYS[4], partition, to) end
    local pending = {}
    if nacked then
      for offset = from, to - 1 do
        if redis.call('HEXISTS', KEYS[5], partition .. ':' .. offset) == 1 then pending[#pending + 1] = offset end
      end
    end
    out[#out + 1] = {1, mark, pending}
  end
end
return out
