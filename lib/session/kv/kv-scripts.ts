/**
 * Lua scripts the kv store runs inside Redis. Each store operation is ONE script: one round trip
 * to the KV endpoint (an HTTP request over REST, a command over the Redis protocol) and atomic in Redis, so two parallel feed requests of one reader can
 * never both claim the same article.
 *
 * Redis key layout (documented here, used only by kv-store.ts):
 *   newsroom:{<sid>}:seen   string bitmap, bit offset = article seq (SETBIT layout, MSB first)
 *   newsroom:{<sid>}:read   string bitmap of opened articles, same layout
 * <sid> is 128 random bits (base64url); the {…} hash tag keeps both keys in one cluster slot.
 * Both keys carry the sliding TTL (SESSION_TTL_SECONDS), renewed by every write.
 *
 * Each script is sent by its SHA-1 (EVALSHA) and loaded on NOSCRIPT (lua-script.ts): the script text
 * crosses the network once per Redis process, not with every request.
 *
 * Binary values leave or enter Redis as hex: the REST protocol is JSON, and the Upstash client
 * decodes base64 responses as UTF-8 text, which would mangle raw bitmap bytes.
 *
 * Every script that writes takes, as its last argument, the moment (epoch ms) after which the app
 * has given up on it, and checks it against Redis's own clock (TIME) before writing anything. A
 * command cannot be recalled once sent: if Redis stalls (SIGSTOP, swapping, a long command) the
 * app answers 503 and the reader is told nothing was recorded, so a claim that runs when Redis
 * wakes up must not record articles the reader never saw. A late script writes nothing and answers
 * an error starting with DEADLINE. (The app's and Redis's clocks must agree to well within the
 * write budget, KV_WRITE_BUDGET_MS in kv-client.ts; NTP does that.)
 */
import { luaScript } from "./lua-script";

/** Returns an error reply (to be returned at once) when the caller's deadline has passed. */
const LUA_DEADLINE = `
local function lateWrite(deadline)
  local ms = tonumber(deadline)
  if not ms then return redis.error_reply('DEADLINE missing: a write carries the epoch-ms time after which its caller gave up') end
  local now = redis.call('TIME')
  local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if nowMs > ms then
    return redis.error_reply('DEADLINE passed ' .. (nowMs - ms) .. ' ms ago: the request had given up, nothing was written')
  end
  return nil
end
`;

const LUA_HEX = `
local function hex(s)
  return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
`;

/**
 * KEYS: seen, read. ARGV: limit, maxSeq, ttlSeconds, sectionMaskHex ('' = every article), deadlineMs.
 * Returns {seenCount, remaining, seq1, seq2, ...} with seqs newest first.
 * Mirrors selectUnseen/countUnseen in lib/seen/feed-selection.ts byte for byte.
 */
export const CLAIM_SCRIPT = luaScript(
  "claim",
  `${LUA_DEADLINE}
local late = lateWrite(ARGV[5])
if late then return late end
local seenKey, readKey = KEYS[1], KEYS[2]
local limit, maxSeq, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local maskHex = ARGV[4]
local lastIndex = math.floor(maxSeq / 8)
local seen = redis.call('GETRANGE', seenKey, 0, lastIndex)
local lastMask = bit.band(bit.lshift(255, 7 - (maxSeq % 8)), 255)

local function poolByte(i)
  local b = 255
  if maskHex ~= '' then b = tonumber(string.sub(maskHex, 2 * i + 1, 2 * i + 2), 16) or 0 end
  if i == 0 then b = bit.band(b, 127) end
  if i == lastIndex then b = bit.band(b, lastMask) end
  return b
end

local function available(i)
  return bit.band(poolByte(i), bit.bnot(string.byte(seen, i + 1) or 0), 255)
end

-- A reader's history is the newest articles, so the walk down from maxSeq would first cross
-- every byte already full (0xFF). Without a section mask those are skipped by a search in C
-- (string.find on the reversed bitmap), so the cost does not grow with the history.
local reversed = maskHex == '' and string.reverse(seen) or nil
local function skipFull(i)
  if not reversed or i >= lastIndex or i >= #seen or string.byte(seen, i + 1) ~= 255 then return i end
  local pos = string.find(reversed, '[^\\255]', #seen - i)
  if pos then return #seen - pos end
  return -1
end

local picked = {}
local i = lastIndex
while i >= 0 and #picked < limit do
  i = skipFull(i)
  if i < 0 then break end
  local avail = available(i)
  if avail ~= 0 then
    for b = 7, 0, -1 do
      if #picked >= limit then break end
      if bit.band(avail, bit.rshift(128, b)) ~= 0 then picked[#picked + 1] = i * 8 + b end
    end
  end
  i = i - 1
end

local unseen = 0
if maskHex == '' then
  unseen = maxSeq - redis.call('BITCOUNT', seenKey, 1, maxSeq, 'BIT')
else
  for j = 0, lastIndex do
    local a = available(j)
    while a ~= 0 do
      a = bit.band(a, a - 1)
      unseen = unseen + 1
    end
  end
end

-- One BITFIELD for every picked bit: each redis.call from Lua costs a few µs, ten SETBITs were
-- half of the script's time.
if #picked > 0 then
  local args = {'BITFIELD', seenKey}
  for _, seq in ipairs(picked) do
    args[#args + 1] = 'SET'
    args[#args + 1] = 'u1'
    args[#args + 1] = seq
    args[#args + 1] = 1
  end
  redis.call(unpack(args))
end
redis.call('EXPIRE', seenKey, ttl)
redis.call('EXPIRE', readKey, ttl)

local result = {redis.call('BITCOUNT', seenKey), unseen - #picked}
for _, seq in ipairs(picked) do result[#result + 1] = seq end
return result
`,
);

/** KEYS: seen, read. ARGV: seq, ttlSeconds, deadlineMs. Returns {seenCount, readCount}. */
export const MARK_READ_SCRIPT = luaScript(
  "mark-read",
  `${LUA_DEADLINE}
local late = lateWrite(ARGV[3])
if late then return late end
redis.call('SETBIT', KEYS[1], ARGV[1], 1)
redis.call('SETBIT', KEYS[2], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {redis.call('BITCOUNT', KEYS[1]), redis.call('BITCOUNT', KEYS[2])}
`,
);

/**
 * KEYS: seen, read. Read-only (no deadline: a late read changes nothing). Returns
 * {seenHex, readHex, pttlMs, seenBytes, readBytes, seenMemoryBytes, readMemoryBytes}.
 */
export const DESCRIBE_SCRIPT = luaScript(
  "describe",
  `${LUA_HEX}
local seen = redis.call('GET', KEYS[1]) or ''
local read = redis.call('GET', KEYS[2]) or ''
-- MEMORY USAGE counts Redis's own overhead too; pcall because not every hosted Redis offers it (-1 then).
local function usage(key)
  local bytes = redis.pcall('MEMORY', 'USAGE', key)
  if type(bytes) == 'number' then return bytes end
  if bytes == false then return 0 end -- no such key: it takes no memory
  return -1
end
return {hex(seen), hex(read), redis.call('PTTL', KEYS[1]), #seen, #read, usage(KEYS[1]), usage(KEYS[2])}
`,
  { writes: false },
);

/** KEYS: seen, read. ARGV: seenHex, readHex, ttlSeconds, deadlineMs. Overwrites both bitmaps. */
export const REPLACE_SCRIPT = luaScript(
  "replace",
  `${LUA_DEADLINE}
local late = lateWrite(ARGV[4])
if late then return late end
local function unhex(h)
  return (string.gsub(h, '..', function(cc) return string.char(tonumber(cc, 16)) end))
end
redis.call('DEL', KEYS[1], KEYS[2])
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], unhex(ARGV[1]), 'EX', ARGV[3]) end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], unhex(ARGV[2]), 'EX', ARGV[3]) end
return 1
`,
);

export function sessionKeys(sid: string): { seen: string; read: string } {
  return { seen: `newsroom:{${sid}}:seen`, read: `newsroom:{${sid}}:read` };
}
