--[[
  readRecords: the stored entries of offsets [from, to) of one partition, in order, at most about `max bytes`
  of them (always at least one, so a record larger than the limit cannot block its consumer). Reading in
  small LRANGE steps keeps the memory a read takes bounded, in Redis and in the gateway, however large the
  stored records are; each step is O(entries returned), wherever `from` is (docs/invariants.md I3).

  KEYS[1..n]  the segment lists holding [from, to): bases ARGV[4], ARGV[4] + S, ...

  ARGV[1]     S, records per segment
  ARGV[2]     from
  ARGV[3]     to
  ARGV[4]     base offset of KEYS[1]
  ARGV[5]     most bytes of entries to return (the first entry is returned whatever its size)

  Returns  {first, entry, entry, ...}: entries of offsets first, first + 1, ... with no gap. `first` is above
           `from` only when retention dropped the segments holding the offsets before it (it drops whole
           segments, oldest first); {to} when nothing is left to read.
]]
local S = tonumber(ARGV[1])
local from = tonumber(ARGV[2])
local to = tonumber(ARGV[3])
local first_base = tonumber(ARGV[4])
local budget = tonumber(ARGV[5])
local STEP = 32

local reply = {from}
local bytes = 0
local offset = from
while offset < to do
  local base = offset - offset % S
  local segment = KEYS[1 + (base - first_base) / S]
  local stop = math.min(offset + STEP, base + S, to) - 1
  local entries = redis.call('LRANGE', segment, offset - base, stop - base)
  if #entries == 0 then
    -- Dropped by retention: only ever before everything still stored, so the answer starts later.
    if #reply > 1 then return reply end
    offset = base + S
    reply[1] = math.min(offset, to)
  else
    for i = 1, #entries do
      local size = #entries[i]
      if #reply > 1 and bytes + size > budget then return reply end
      bytes = bytes + size
      reply[#reply + 1] = entries[i]
    end
    offset = offset + #entries
  end
end
return reply
