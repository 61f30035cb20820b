--[[
  readPosition: where one consumer's next read of a partition starts, and how far it may go. Changes
  nothing: a read fetches its records first and moves the offset afterwards with commitRead, only if no
  other read of the consumer moved it meanwhile (docs/invariants.md I9: a read that fails never moves the offset).
  The caller read the partition's log start and next offset just before (they live on another hash slot, so
  this script cannot read them itself).

  KEYS[1]  consumer subscriptions hash (topic name -> topic id)
  KEYS[2]  consumer offsets hash for this topic (partition -> next offset to read; missing = log start)

  ARGV[1]  topic name
  ARGV[2]  topic id: the subscription counts only if it was made to this id
  ARGV[3]  partition
  ARGV[4]  the partition's log-start offset
  ARGV[5]  the partition's next offset (high watermark)
  ARGV[6]  most records to read

  Returns  {from, to}: the read covers offsets from .. to - 1 (to = from when there is nothing new)
           {from, to, old}: the same, after the stored offset `old` had fallen below the log start
                            (retention): the read starts at the log start instead
  Errors   {-3}  not subscribed to this topic (or only to an earlier topic of the same name)
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {-3} end

local start = tonumber(ARGV[4])
local next_offset = tonumber(ARGV[5])
local stored = redis.call('HGET', KEYS[2], ARGV[3])
local from = start
local reset_from = nil
if stored then
  from = tonumber(stored)
  if from < start then
    reset_from = from
    from = start
  end
end

local to = math.max(from, math.min(from + tonumber(ARGV[6]), next_offset))
if reset_from then return {from, to, reset_from} end
return {from, to}
