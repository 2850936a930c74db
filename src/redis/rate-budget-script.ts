import { luaScript } from './script.js';

/**
 * The shared KIS call budget as one atomic script, on Redis TIME so the clocks of the processes
 * never matter. GCRA with no burst: grants are spaced at least `interval` = 1/rate apart, so any
 * one-second window holds at most `rate` grants, and a gateway bucket (docs/kis-wire.md §4: 20/s live,
 * 2/s paper) never sees a burst.
 *
 * A caller may RESERVE the next slot if it is at most one interval away (granted, "go in N ms");
 * otherwise it is told when to ask again — one interval per caller ahead of it, so waiters wake
 * staggered instead of as a herd — and registered as a waiter of its lane. Priority: a lane may
 * take a slot only when no higher lane (order > reconcile > signal > scan) has a live waiter;
 * within a lane any registered waiter may take it (no head-of-line stall when one wakes late),
 * and a fresh caller joins the waiters when its lane already has some.
 * Waiters re-poll at least every maxPoll ms and their registration lapses after that plus a
 * grace, so a crashed process cannot block a lane for long.
 *
 * Orders ahead of everything (issue 13): the order lane keeps its own grid (`otat`), so an order
 * never waits for the slots already granted to reads — under a saturating scan those are the next
 * one or two slots plus every granted read whose commit is late, and bench/README.md measured
 * order grants 5–8 slots late. An order takes its lane's next slot (granted if at most one interval
 * away), pushes the shared grid back one interval so the total stays at the rate, and holds the
 * commit step: while an order is granted and not yet sent, no other lane commits. Its send then
 * waits only for the commit rules below (half an interval after the previous send, `rate` per
 * window) — about one slot under load.
 *
 * Commit: spacing slots is not enough when a caller uses its slot late (a stalled event loop,
 * GC, a burst of replies to process): that call and the one `rate` slots later would then fall
 * inside one second at the gateway. So right before sending, the caller commits: the send is
 * logged on Redis TIME and allowed only if fewer than `rate` (the configured one) sends happened in
 * the last window = 1 s × (1 + margin) — the gateway's own rule, with the margin left for network jitter.
 * Normally the spacing already satisfies it and the commit answers "go" at once. Callers that
 * wake late together (their slots passed during a stall) are let go at least half an interval
 * apart rather than in one burst: a burst of rate sends within a few ms leaves only the margin
 * against jitter on the way to the gateway (bench/README.md).
 *
 * Adaptive rate, AIMD (docs/kis-wire.md §4): penalize() multiplies the rate by `factor` (floor
 * minRate), but at most once per `cutEvery`: the EGW00201 answers of calls already in flight when
 * the first came back belong to the same moment, and cutting for each of them would compound to
 * the floor. In between, the rate climbs back linearly, `climb` calls/s per second, up to the
 * configured rate — whether or not errors keep coming. A run that only waited for a quiet spell
 * stayed at the floor under spurious errors (20 % of answers: no second ever passes without one);
 * with cuts spaced and the climb steady, the rate settles where one cut per window balances the
 * climb (about climb × cutEvery / (1 − factor)) instead of at the floor.
 *
 * KEYS: 1 state hash {tat µs, otat µs (the order lane's grid), rate, changed µs (the climb is
 * counted from here), cut µs (last cut)}; 2..5 waiting zsets (member = waiter id,
 * score = registration expiry µs) for order, reconcile, signal, scan; 6 the send log (member =
 * caller id, score = commit µs); 7 the granted orders not yet sent (member = caller id, score =
 * expiry µs, so a crashed order process holds the other lanes for maxPoll + grace at most).
 * ARGV: mode, lane (1..4), caller id, rate, minRate, cutEveryMs, climb (calls/s per second),
 * maxPollMs, graceMs, factor, idleMs, margin (slots and the commit window stretched by this fraction).
 * Returns: acquire → {granted 0|1, ms to wait, slot µs as string, rate as string};
 * commit → {sent 0|1, ms to wait, commit µs as string}; rate → {rate as string};
 * penalize → {rate as string, 1 if it cut, 0 if a cut in the last cutEvery already covered it};
 * leave → {} (withdraws a waiter, or an order's hold after a failed commit).
 */
export const RATE_BUDGET_LUA = luaScript(`
local mode = ARGV[1]
local lane = tonumber(ARGV[2])
local id = ARGV[3]
local base = tonumber(ARGV[4])
local minRate = tonumber(ARGV[5])
local cutEvery = tonumber(ARGV[6]) * 1000
local climb = tonumber(ARGV[7])
local maxPoll = tonumber(ARGV[8]) * 1000
local grace = tonumber(ARGV[9]) * 1000
local factor = tonumber(ARGV[10])
local idle = tonumber(ARGV[11])
local margin = tonumber(ARGV[12])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local st = redis.call('HMGET', KEYS[1], 'tat', 'rate', 'changed', 'cut', 'otat')
local tat = tonumber(st[1]) or 0
local rate = tonumber(st[2]) or base
local changed = tonumber(st[3]) or now
local cut = tonumber(st[4]) or 0
local otat = tonumber(st[5]) or 0
if rate > base then rate = base end
if rate < minRate then rate = minRate end
-- additive increase: the climb since the last look, counted on Redis TIME
if rate < base and now > changed then
  rate = math.min(base, rate + climb * (now - changed) / 1000000)
end
changed = now
local function save()
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'rate', string.format('%.6f', rate),
    'changed', string.format('%.0f', changed), 'cut', string.format('%.0f', cut), 'otat', string.format('%.0f', otat))
  redis.call('PEXPIRE', KEYS[1], idle)
end

if mode == 'rate' then
  return { string.format('%.6f', rate) }
end
if mode == 'penalize' then
  local did = 0
  if now - cut >= cutEvery then
    rate = math.max(minRate, rate * factor)
    cut = now
    did = 1
  end
  save()
  return { string.format('%.6f', rate), did }
end
if mode == 'commit' then
  local win = math.ceil(1000000 * (1 + margin))
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - win)
  -- the window holds the configured rate, not the adaptive one: a cut slows the grants, while
  -- holding sends already granted until the window drained to the cut rate held an order for ~1 s
  local limit = math.max(1, math.floor(base + 0.000001))
  -- no catch-up bursts: callers woken late together go half an interval apart, not at once
  local gap = math.floor(500000 * (1 + margin) / rate)
  -- a granted order goes first: the other lanes hold back until it is sent (or its hold lapses)
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now)
  if lane ~= 1 and redis.call('ZCARD', KEYS[7]) > 0 then
    return { 0, math.max(1, math.ceil(gap / 1000)), '0' }
  end
  local newest = redis.call('ZRANGE', KEYS[6], -1, -1, 'WITHSCORES')
  if newest[2] ~= nil and now - tonumber(newest[2]) < gap then
    return { 0, math.max(1, math.ceil((tonumber(newest[2]) + gap - now) / 1000)), '0' }
  end
  if redis.call('ZCARD', KEYS[6]) < limit then
    redis.call('ZADD', KEYS[6], now, id)
    redis.call('ZREM', KEYS[7], id)
    redis.call('PEXPIRE', KEYS[6], math.ceil(win / 1000) + idle)
    return { 1, 0, string.format('%.0f', now) }
  end
  local oldest = redis.call('ZRANGE', KEYS[6], 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + win - now
  return { 0, math.max(1, math.ceil(wait / 1000)), '0' }
end
if mode == 'leave' then
  redis.call('ZREM', KEYS[1 + lane], id)
  redis.call('ZREM', KEYS[7], id)
  return {}
end

local interval = math.ceil(1000000 * (1 + margin) / rate)
for i = 1, 4 do redis.call('ZREMRANGEBYSCORE', KEYS[1 + i], '-inf', now) end
local ahead = 0
for i = 1, lane - 1 do ahead = ahead + redis.call('ZCARD', KEYS[1 + i]) end
local mine = KEYS[1 + lane]
local rank = redis.call('ZRANK', mine, id)
local registered = rank ~= false
if not registered then rank = redis.call('ZCARD', mine) end

local slot = math.max(tat, now)
if lane == 1 then slot = math.max(otat, now) end
if ahead == 0 and (registered or rank == 0) and slot - now <= interval then
  if lane == 1 then
    otat = slot + interval
    tat = math.max(tat, now) + interval
    redis.call('ZADD', KEYS[7], slot + maxPoll + grace, id)
    redis.call('PEXPIRE', KEYS[7], math.ceil((maxPoll + grace) / 1000) + idle)
  else
    tat = slot + interval
  end
  save()
  if registered then redis.call('ZREM', mine, id) end
  return { 1, math.ceil((slot - now) / 1000), string.format('%.0f', slot), string.format('%.6f', rate) }
end

-- Ask again when this caller's turn should come up: the reservable moment of the next slot
-- plus one interval per caller ahead of it (higher lanes, then earlier waiters of this lane).
local wait = (slot - interval - now) + (ahead + rank) * interval
if wait < 1000 then wait = 1000 end
if wait > maxPoll then wait = maxPoll end
redis.call('ZADD', mine, now + wait + grace, id)
redis.call('PEXPIRE', mine, math.ceil((maxPoll + grace) / 1000) + idle)
save()
return { 0, math.ceil(wait / 1000), '0', string.format('%.6f', rate) }
`);
