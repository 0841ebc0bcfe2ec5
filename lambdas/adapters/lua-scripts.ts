/**
 * Lua run inside Redis by the analytics store. Kept as a TypeScript string so that every runner
 * (esbuild for Lambda, tsx, vitest) bundles it with no loader configuration.
 */

export const RECORD_ENTRIES_LUA = `
-- Records a chunk of consumer outcomes atomically and exactly once.
--
-- KEYS[1]: the store's global hash, declared so that a Redis Cluster routes the script to the slot
-- of the prefix's hash tag, which every key below shares.
-- ARGV: prefix, marker TTL (s), log max length, and the entries as one JSON array (decoded by
-- cjson in C: far cheaper on both sides than thousands of separate arguments), each entry
--   [kind (v = valid, c = valid at a corrected value, f = failed, m = malformed), message id,
--    order id ('' = none), user id ('' = none), month ('' = none), cents (valid) or reason
--    (failed), log line (JSON text)].
-- Returns one status letter per entry: A applied, D duplicate, R replayed (already recorded),
-- O out of range (a total would pass 2^53 - 1: refused, nothing written for it).
--
-- Markers: seen:order:<order_id> holds the message id that counted the order, valid or failed: one
-- order id counts once, whatever its outcome, and a redelivery of that message is told apart from
-- a second message with the same order id (a duplicate, counted once per message through
-- seen:msg:<message_id>). Malformed messages have no usable order id: seen:msg:<message_id>.
--
-- Redis does not roll back a script that fails half way, so it works in two phases. Phase 1 only
-- reads: it decides every entry's status, reads every counter it would change and checks that the
-- result stays exact, and touches every key with a command of its type (a key of another type
-- fails here, before any write). Phase 2 only writes, and none of its writes can fail: an order is
-- counted whole or not at all. Counter changes are summed per key and field and written once.

local prefix, ttl, logMaxLen = ARGV[1], ARGV[2], ARGV[3]
local globalKey, logsKey, monthsKey = prefix .. 'global', prefix .. 'logs', prefix .. 'months'
-- The largest whole number a double, and so a JSON reader, holds exactly.
local MAX_EXACT = 9007199254740991
local OUTCOME = { v = 'valid', c = 'valid', f = 'failed', m = 'malformed' }

local hashes, zsets, months = {}, {}, {}
local stored = {}
local markers, logs, statuses = {}, {}, {}
local claimedOrders, claimedMessages = {}, {}

-- A counter as stored (read once per chunk); an unreadable one counts as out of range.
local function storedValue(key, field)
  local fields = stored[key]
  if fields == nil then
    fields = {}
    stored[key] = fields
  end
  local value = fields[field]
  if value == nil then
    value = tonumber(redis.call('HGET', key, field) or '0') or math.huge
    fields[field] = value
  end
  return value
end

local function pending(tables, key, field)
  local t = tables[key]
  return (t and t[field]) or 0
end

local function add(tables, key, field, delta)
  local t = tables[key]
  if t == nil then
    t = {}
    tables[key] = t
  end
  t[field] = (t[field] or 0) + delta
end

-- True when every change keeps its counter within MAX_EXACT, counting what the chunk already adds.
local function fits(changes)
  for _, change in ipairs(changes) do
    local key, field, delta = change[1], change[2], change[3]
    if storedValue(key, field) + pending(hashes, key, field) + delta > MAX_EXACT then
      return false
    end
  end
  return true
end

local function firstOrder(orderId)
  if claimedOrders[orderId] ~= nil then
    return false, claimedOrders[orderId]
  end
  local countedBy = redis.call('GET', prefix .. 'seen:order:' .. orderId)
  return not countedBy, countedBy
end

local function firstMessage(messageId)
  return not claimedMessages[messageId] and not redis.call('GET', prefix .. 'seen:msg:' .. messageId)
end

-- Phase 1: decide, and check.
for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local kind, messageId, orderId, userId, month, value, log = unpack(entry)
  local status, outcome = 'R', OUTCOME[kind]
  local monthKey = prefix .. 'month:' .. month
  local changes, zchanges, marker = {}, {}, nil
  local function count(key, field, delta)
    changes[#changes + 1] = { key, field, delta }
  end

  if orderId ~= '' then
    local first, countedBy = firstOrder(orderId)
    if first then
      status, marker = 'A', { 'order', orderId, messageId }
      if kind == 'f' then
        local reasonField = 'failed:' .. value
        count(globalKey, 'failed_orders', 1)
        count(globalKey, reasonField, 1)
        count(monthKey, 'failed_orders', 1)
        count(monthKey, reasonField, 1)
        if userId ~= '' then
          count(prefix .. 'user:' .. userId, 'failed_order_count', 1)
          count(monthKey .. ':user:' .. userId, 'failed_order_count', 1)
          -- listed among the month's users even with nothing spent
          zchanges[#zchanges + 1] = { monthKey .. ':by_spend', userId, 0 }
        end
      else
        local cents = tonumber(value)
        local userKey, monthUserKey = prefix .. 'user:' .. userId, monthKey .. ':user:' .. userId
        count(userKey, 'order_count', 1)
        count(userKey, 'spend_cents', cents)
        count(globalKey, 'total_orders', 1)
        count(globalKey, 'revenue_cents', cents)
        count(monthKey, 'total_orders', 1)
        count(monthKey, 'revenue_cents', cents)
        count(monthUserKey, 'order_count', 1)
        count(monthUserKey, 'spend_cents', cents)
        if kind == 'c' then
          count(globalKey, 'corrected_orders', 1)
          count(monthKey, 'corrected_orders', 1)
        end
        zchanges[#zchanges + 1] = { monthKey .. ':by_spend', userId, cents }
        zchanges[#zchanges + 1] = { prefix .. 'rank:spend', userId, cents }
        zchanges[#zchanges + 1] = { prefix .. 'rank:orders', userId, 1 }
      end
    elseif countedBy ~= messageId and firstMessage(messageId) then
      status, outcome, marker = 'D', 'duplicate', { 'msg', messageId }
      count(globalKey, 'duplicates', 1)
      count(monthKey, 'duplicates', 1)
    end
  elseif firstMessage(messageId) then
    status, marker = 'A', { 'msg', messageId }
    count(globalKey, 'failed_orders', 1)
    count(globalKey, 'failed:malformed', 1)
  end

  if status ~= 'R' and not fits(changes) then
    status, marker = 'O', nil
  end
  if marker then
    if marker[1] == 'order' then
      claimedOrders[marker[2]] = marker[3]
    else
      claimedMessages[marker[2]] = true
    end
    markers[#markers + 1] = marker
    for _, change in ipairs(changes) do
      add(hashes, change[1], change[2], change[3])
    end
    for _, change in ipairs(zchanges) do
      add(zsets, change[1], change[2], change[3])
    end
    if month ~= '' and (status == 'A') then
      months[month] = true
    end
    logs[#logs + 1] = { outcome, log }
  end
  statuses[#statuses + 1] = status
end

-- Every key phase 2 writes, read with a command of its type: a key of another type fails now.
for key in pairs(zsets) do
  redis.call('ZCARD', key)
end
redis.call('SCARD', monthsKey)
redis.call('XLEN', logsKey)

-- Phase 2: write. Markers of other types cannot exist: they are read above with GET.
for _, marker in ipairs(markers) do
  if marker[1] == 'order' then
    redis.call('SET', prefix .. 'seen:order:' .. marker[2], marker[3], 'EX', ttl)
  else
    redis.call('SET', prefix .. 'seen:msg:' .. marker[2], '1', 'EX', ttl)
  end
end
for key, fields in pairs(hashes) do
  for field, delta in pairs(fields) do
    redis.call('HINCRBY', key, field, delta)
  end
end
for key, members in pairs(zsets) do
  for member, delta in pairs(members) do
    redis.call('ZINCRBY', key, delta, member)
  end
end
for month in pairs(months) do
  redis.call('SADD', monthsKey, month)
end
for _, entry in ipairs(logs) do
  redis.call('XADD', logsKey, '*', 'outcome', entry[1], 'details', entry[2])
end
redis.call('XTRIM', logsKey, 'MAXLEN', '~', logMaxLen)
return table.concat(statuses)
`;

/**
 * A month's totals and its top users by spend in one round trip (instead of one HMGET per user).
 * KEYS[1]: routes the call on a cluster (see above). ARGV: prefix, month, user limit. Returns {} for a month without data, else
 * { totals (HGETALL pairs), user count, [user id, order_count, spend_cents, failed_order_count]... }.
 */
export const MONTH_STATS_LUA = `
local monthKey = ARGV[1] .. 'month:' .. ARGV[2]
local totals = redis.call('HGETALL', monthKey)
if #totals == 0 then
  return {}
end
local bySpend = monthKey .. ':by_spend'
local ids = redis.call('ZREVRANGE', bySpend, 0, tonumber(ARGV[3]) - 1)
local users = {}
for _, id in ipairs(ids) do
  local figures = redis.call('HMGET', monthKey .. ':user:' .. id, 'order_count', 'spend_cents', 'failed_order_count')
  users[#users + 1] = id
  users[#users + 1] = figures[1] or '0'
  users[#users + 1] = figures[2] or '0'
  users[#users + 1] = figures[3] or '0'
end
return { totals, redis.call('ZCARD', bySpend), users }
`;
