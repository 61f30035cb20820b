--[[
  commitRead: move one consumer's offset past what a read delivered, only if it is still where that read
  started (compare-and-set). Two reads of one consumer that started at the same offset both fetch, but only
  the first to commit answers those records; the other reads again from the new offset. So concurrent reads
  never return a record twice, and a read that failed before committing never skips one (docs/invariants.md I9).

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic (partition -> next offset to read; missing = log start)

  ARGV[1]  topic name
  ARGV[2]  topic id: the subscription counts only if it was made to this id
  ARGV[3]  partition
  ARGV[4]  the log-start offset the read used (readPosition's ARGV[4])
  ARGV[5]  where the read started: readPosition's `from`
  ARGV[6]  the new offset: past the last record the read delivered

  Returns  1 if committed, 0 if another read (or a seek) moved the offset since: nothing changed
  Errors   -3  not subscribed to this topic (or only to an earlier topic of the same name)
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -3 end

local start = tonumber(ARGV[4])
local stored = redis.call('HGET', KEYS[2], ARGV[3])
local position = start
if stored and tonumber(stored) > start then position = tonumber(stored) end
if position ~= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[6])
return 1
