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
--   [kind (v = valid, c = valid at a corrected value, f = failed, m = malformed), message id, order id, user id ('' = none),
--    month ('' = none), cents (valid) or reason (failed), log line (JSON text)].
-- Returns one status letter per entry: A applied, D duplicate, R replayed (already recorded).
--
-- Markers: seen:order:<order_id> holds the message id that counted the order, so a redelivery of
-- that message is told apart from a second message with the same order_id (a duplicate, counted
-- once per message through seen:msg:<message_id>, like failed and malformed messages).
-- Counter changes are summed in Lua tables and written once per key and field at the end: a chunk
-- of seed-like orders touches a few dozen fields, however many orders it holds.

local prefix, ttl, logMaxLen = ARGV[1], ARGV[2], ARGV[3]
local globalKey, logsKey = prefix .. 'global', prefix .. 'logs'
local hashes, zsets, months = {}, {}, {}
local statuses = {}
local OUTCOME = { v = 'valid', c = 'valid', f = 'failed', m = 'malformed' }

local function add(tables, key, field, delta)
  local t = tables[key]
  if t == nil then
    t = {}
    tables[key] = t
  end
  t[field] = (t[field] or 0) + delta
end

local function firstDelivery(messageId)
  return redis.call('SET', prefix .. 'seen:msg:' .. messageId, '1', 'NX', 'EX', ttl)
end

for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local kind, messageId, orderId, userId, month, value, log = unpack(entry)
  local status, outcome = 'R', OUTCOME[kind]
  local monthKey = prefix .. 'month:' .. month
  if kind == 'v' or kind == 'c' then
    local countedBy = redis.call('SET', prefix .. 'seen:order:' .. orderId, messageId, 'NX', 'GET', 'EX', ttl)
    if not countedBy then
      status = 'A'
      local cents = tonumber(value)
      local userKey, monthUserKey = prefix .. 'user:' .. userId, monthKey .. ':user:' .. userId
      add(hashes, userKey, 'order_count', 1)
      add(hashes, userKey, 'spend_cents', cents)
      add(hashes, globalKey, 'total_orders', 1)
      add(hashes, globalKey, 'revenue_cents', cents)
      add(hashes, monthKey, 'total_orders', 1)
      add(hashes, monthKey, 'revenue_cents', cents)
      add(hashes, monthUserKey, 'order_count', 1)
      add(hashes, monthUserKey, 'spend_cents', cents)
      add(zsets, monthKey .. ':by_spend', userId, cents)
      add(zsets, prefix .. 'rank:spend', userId, cents)
      add(zsets, prefix .. 'rank:orders', userId, 1)
      if kind == 'c' then
        add(hashes, globalKey, 'corrected_orders', 1)
        add(hashes, monthKey, 'corrected_orders', 1)
      end
      months[month] = true
    elseif countedBy ~= messageId and firstDelivery(messageId) then
      status, outcome = 'D', 'duplicate'
      add(hashes, globalKey, 'duplicates', 1)
      add(hashes, monthKey, 'duplicates', 1)
    end
  elseif firstDelivery(messageId) then
    status = 'A'
    local reasonField = 'failed:' .. (kind == 'f' and value or 'malformed')
    add(hashes, globalKey, 'failed_orders', 1)
    add(hashes, globalKey, reasonField, 1)
    if month ~= '' then
      add(hashes, monthKey, 'failed_orders', 1)
      add(hashes, monthKey, reasonField, 1)
      months[month] = true
      if userId ~= '' then
        add(hashes, prefix .. 'user:' .. userId, 'failed_order_count', 1)
        add(hashes, monthKey .. ':user:' .. userId, 'failed_order_count', 1)
        -- listed among the month's users even with nothing spent
        add(zsets, monthKey .. ':by_spend', userId, 0)
      end
    end
  end
  if status ~= 'R' then
    redis.call('XADD', logsKey, '*', 'outcome', outcome, 'details', log)
  end
  statuses[#statuses + 1] = status
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
  redis.call('SADD', prefix .. 'months', month)
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
