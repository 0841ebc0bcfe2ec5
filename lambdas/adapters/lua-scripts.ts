/**
 * Lua run inside Redis by the analytics store. Kept as a TypeScript string so that every runner
 * (esbuild for Lambda, tsx, vitest) bundles it with no loader configuration.
 */

import { MAX_COUNTER } from "../core/analytics-store";
import { LUA_KEY_LAYOUT } from "./redis-keys";

export const RECORD_ENTRIES_LUA = `
-- Records a chunk of consumer outcomes atomically and exactly once.
--
-- KEYS[1]: the store's global hash, declared so that a Redis Cluster routes the script to the slot
-- of the prefix's hash tag, which every key below shares.
-- ARGV: prefix, marker TTL (s), log max length, and the entries as one JSON array (decoded by
-- cjson in C: far cheaper on both sides than thousands of separate arguments), each entry
--   [kind (v = valid, c = valid at a corrected value, f = failed, m = malformed), message id,
--    order id ('' = none), user id ('' = none), month ('' = none: no month's figures), cents
--    (valid) or reason (failed), log line (JSON text), sent at (ms; 0 = unknown)].
-- Returns one status letter per entry: A applied, D duplicate, R replayed (already recorded),
-- O out of range (a total would pass MAX_COUNTER: refused, nothing written for it).
--
-- Markers (their keys: redis-keys.ts): seen:order:<order_id> holds "<message id> <sent at>" of the message that counted the
-- order, valid or failed: one order id counts once, whatever its outcome, and a redelivery of that
-- message is told apart from a second message with the same order id (a duplicate, counted once
-- per message through seen:msg:<message_id>). Messages without an order id (malformed, or failed
-- with an empty one): seen:msg:<message_id>.
--
-- A marker lasts the marker TTL, measured between the messages' own sent times: an order id sent
-- again more than the TTL after the message that counted it counts again. The live consumer and a
-- rebuild replaying the archive months later decide alike. Redis keeps each marker twice the TTL,
-- so it is still there whenever that rule needs it (a message is delivered within the queue's
-- retention, which the TTL is, of being sent).
--
-- Redis does not roll back a script that fails half way, so it works in two phases. Phase 1 only
-- reads: it decides every entry's status, reads every counter it would change and checks that the
-- result stays exact, and touches every key with a command of its type (a key of another type
-- fails here, before any write). Phase 2 only writes, and none of its writes can fail: an order is
-- counted whole or not at all. Counter changes are summed per key and field and written once.

local prefix, ttl, logMaxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local ttlMs = ttl * 1000
${LUA_KEY_LAYOUT}-- The most a counter may reach: below Redis's 64-bit limit by more than a double's rounding there
-- (Lua numbers are doubles), so the check below can never let HINCRBY overflow (MAX_COUNTER).
local MAX_COUNTER = ${MAX_COUNTER}
local OUTCOME = { v = 'valid', c = 'valid', f = 'failed', m = 'malformed' }

local hashes, zsets, months = {}, {}, {}
local stored = {}
local markerKeys, markerValues, logOutcomes, logDetails, statuses = {}, {}, {}, {}, {}
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

-- True when adding delta keeps the counter within MAX_COUNTER, counting what the chunk already adds.
local function within(key, field, delta)
  return storedValue(key, field) + pending(hashes, key, field) + delta <= MAX_COUNTER
end

local function append(list, ...)
  for _, item in ipairs({ ... }) do
    list[#list + 1] = item
  end
end

-- An entry's counter changes, as a flat list {key, field, delta, key, field, delta, ...}: all of
-- them are added when every one stays within MAX_COUNTER, else none (the entry is out of range).
local function addAllWithin(changes)
  for i = 1, #changes, 3 do
    if not within(changes[i], changes[i + 1], changes[i + 2]) then
      return false
    end
  end
  for i = 1, #changes, 3 do
    add(hashes, changes[i], changes[i + 1], changes[i + 2])
  end
  return true
end

-- Whether this message is the first to count the order id (within the TTL of the one that did),
-- and the id of the message that counted it.
local function firstOrder(orderId, sentAt)
  local claimedBy = claimedOrders[orderId]
  if claimedBy ~= nil then
    return false, claimedBy
  end
  local marker = redis.call('GET', orderMarkerKey(orderId))
  if not marker then
    return true, nil
  end
  local countedBy, countedAt = string.match(marker, '^(%S+) (%d+)$')
  if countedBy == nil then
    return false, marker -- a marker without a time expires only with its key
  end
  if sentAt > 0 and sentAt - tonumber(countedAt) > ttlMs then
    return true, nil
  end
  return false, countedBy
end

local function firstMessage(messageId)
  return not claimedMessages[messageId] and not redis.call('GET', messageMarkerKey(messageId))
end

-- A failed order's counter changes: global, its month's (when it has one) and its user's.
local function failedChanges(reason, monthKey, userKey, monthUserKey, hasMonth, hasUser)
  local reasonField = 'failed:' .. reason
  local changes = { globalKey, 'failed_orders', 1, globalKey, reasonField, 1 }
  if hasMonth then
    append(changes, monthKey, 'failed_orders', 1, monthKey, reasonField, 1)
  end
  if hasUser then
    append(changes, userKey, 'failed_order_count', 1)
    if hasMonth then
      append(changes, monthUserKey, 'failed_order_count', 1)
    end
  end
  return changes
end

-- Phase 1: decide and check, entry by entry.
for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local kind, messageId, orderId, userId, month, value, log, sentAt = unpack(entry)
  sentAt = tonumber(sentAt) or 0
  local status, outcome = 'R', OUTCOME[kind]
  local hasMonth, hasUser = month ~= '', userId ~= ''
  local monthKey, bySpendKey = monthKeyOf(month), monthBySpendKey(month)
  local userKey, monthUserKey = userKey(userId), monthUserKey(month, userId)

  if orderId ~= '' then
    local first, countedBy = firstOrder(orderId, sentAt)
    if first and kind == 'f' then
      if addAllWithin(failedChanges(value, monthKey, userKey, monthUserKey, hasMonth, hasUser)) then
        status = 'A'
        -- listed among the month's users even with nothing spent
        if hasUser and hasMonth then add(zsets, bySpendKey, userId, 0) end
      else
        status = 'O'
      end
    elseif first then
      local cents = tonumber(value)
      local changes = { userKey, 'order_count', 1, userKey, 'spend_cents', cents,
        globalKey, 'total_orders', 1, globalKey, 'revenue_cents', cents,
        monthKey, 'total_orders', 1, monthKey, 'revenue_cents', cents,
        monthUserKey, 'order_count', 1, monthUserKey, 'spend_cents', cents }
      if kind == 'c' then -- counted at a corrected value: counted apart too
        append(changes, globalKey, 'corrected_orders', 1, monthKey, 'corrected_orders', 1)
      end
      if addAllWithin(changes) then
        status = 'A'
        add(zsets, bySpendKey, userId, cents)
        add(zsets, rankBySpendKey, userId, cents)
        add(zsets, rankByOrdersKey, userId, 1)
      else
        status = 'O'
      end
    elseif countedBy ~= messageId and firstMessage(messageId) then
      local changes = { globalKey, 'duplicates', 1 }
      if hasMonth then append(changes, monthKey, 'duplicates', 1) end
      if addAllWithin(changes) then
        status, outcome = 'D', 'duplicate'
      else
        status = 'O'
      end
    end
    if status == 'A' then
      claimedOrders[orderId] = messageId
      markerKeys[#markerKeys + 1] = orderMarkerKey(orderId)
      markerValues[#markerValues + 1] = messageId .. ' ' .. string.format('%d', sentAt)
      if hasMonth then months[month] = true end
    end
  elseif firstMessage(messageId) then
    -- No order id: malformed, or failed with an empty one (counted once per message).
    local changes = kind == 'f'
      and failedChanges(value, monthKey, userKey, monthUserKey, hasMonth, hasUser)
      or { globalKey, 'failed_orders', 1, globalKey, 'failed:malformed', 1 }
    status = addAllWithin(changes) and 'A' or 'O'
    if status == 'A' and kind == 'f' and hasUser and hasMonth then
      add(zsets, bySpendKey, userId, 0)
      months[month] = true
    end
  end
  if status == 'D' or (status == 'A' and orderId == '') then
    claimedMessages[messageId] = true
    markerKeys[#markerKeys + 1] = messageMarkerKey(messageId)
    markerValues[#markerValues + 1] = '1'
  end
  if status == 'A' or status == 'D' then
    logOutcomes[#logOutcomes + 1] = outcome
    logDetails[#logDetails + 1] = log
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
for i, key in ipairs(markerKeys) do
  redis.call('SET', key, markerValues[i], 'EX', 2 * ttl)
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
for i, outcome in ipairs(logOutcomes) do
  redis.call('XADD', logsKey, '*', 'outcome', outcome, 'details', logDetails[i])
end
redis.call('XTRIM', logsKey, 'MAXLEN', '~', logMaxLen)
return table.concat(statuses)
`;

/**
 * A month's totals and its top users by spend in one round trip (instead of one HMGET per user).
 * KEYS[1]: routes the call on a cluster (see above). ARGV: prefix, month, user limit. Returns nil
 * for a month without data, else JSON (read by `jsonReply`, generation-store.ts): [totals
 * (HGETALL pairs), user count, [user id, order_count, spend_cents, failed_order_count, ...]].
 */
export const MONTH_STATS_LUA = `
local prefix, month = ARGV[1], ARGV[2]
${LUA_KEY_LAYOUT}
local monthKey = monthKeyOf(month)
local totals = redis.call('HGETALL', monthKey)
if #totals == 0 then
  return false
end
local bySpend = monthBySpendKey(month)
local ids = redis.call('ZREVRANGE', bySpend, 0, tonumber(ARGV[3]) - 1)
local users = {}
for _, id in ipairs(ids) do
  local figures = redis.call('HMGET', monthUserKey(month, id), 'order_count', 'spend_cents', 'failed_order_count')
  users[#users + 1] = id
  users[#users + 1] = figures[1] or '0'
  users[#users + 1] = figures[2] or '0'
  users[#users + 1] = figures[3] or '0'
end
return cjson.encode({ totals, redis.call('ZCARD', bySpend), users })
`;

/**
 * The rankings in one round trip (instead of two ZREVRANGEs, then one HGET per top spender).
 * KEYS[1]: routes the call on a cluster (see above). ARGV: prefix, limit. Returns JSON (read
 * by `jsonReply`, generation-store.ts): [[user id, spend_cents, ...], [user id, order count, ...]]
 * as ZREVRANGE WITHSCORES gives them. A ranking's scores are doubles: below 2^53 a spend score is
 * its user's spend_cents exactly (the counter and the score grow together, by whole cents, so every
 * sum on the way was exact too); from 2^53 on, the user's counter is read instead.
 */
export const RANKINGS_LUA = `
local prefix, limit = ARGV[1], tonumber(ARGV[2])
${LUA_KEY_LAYOUT}
local EXACT_BELOW = 2 ^ 53
local bySpend = redis.call('ZREVRANGE', rankBySpendKey, 0, limit - 1, 'WITHSCORES')
for i = 2, #bySpend, 2 do
  if tonumber(bySpend[i]) >= EXACT_BELOW then
    bySpend[i] = redis.call('HGET', userKey(bySpend[i - 1]), 'spend_cents') or '0'
  end
end
return cjson.encode({ bySpend, redis.call('ZREVRANGE', rankByOrdersKey, 0, limit - 1, 'WITHSCORES') })
`;
