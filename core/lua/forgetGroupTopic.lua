--[[
  forgetGroupTopic: drop what a group stored about a deleted topic (by its id: a topic re-created under the
  same name has another id, and starts with no offsets, docs/invariants.md I4).

  KEYS[1..5] owners, positions, offsets, delivered and deliveries hashes
  KEYS[6..]  the retry and in-flight zsets of the topic's partitions

  ARGV[1]    the deleted topic's id

  Returns  the number of fields dropped
]]
local prefix = ARGV[1] .. ':'
local dropped = 0
for k = 1, 5 do
  for _, field in ipairs(redis.call('HKEYS', KEYS[k])) do
    if string.sub(field, 1, #prefix) == prefix then dropped = dropped + redis.call('HDEL', KEYS[k], field) end
  end
end
if #KEYS > 5 then redis.call('DEL', unpack(KEYS, 6)) end
return dropped
