import { Redis } from 'ioredis';
import {
  BUCKET_MS,
  type Quotas,
  REFUSAL_PAUSE_MS,
  type RequestBudget,
  WINDOW_BUCKETS,
} from './request-budget.ts';

// The same rule as windowDecision/admit in request-budget.ts, for the user's and the
// project's window at once, in one script so two workers cannot both take the last requests.
// KEYS: user buckets, project buckets, user pause. ARGV: cost, now, user limit, project limit,
// bucket ms, buckets per window. Answers 0 (taken) or the milliseconds to wait.
const TAKE = `
local cost = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local limits = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
local bucketMs = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local current = math.floor(now / bucketMs)
local oldest = current - n + 1
local wait = 0
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then wait = paused - now end
for k = 1, 2 do
  local flat = redis.call('HGETALL', KEYS[k])
  local live = {}
  local used = 0
  for i = 1, #flat, 2 do
    local index = tonumber(flat[i])
    local count = tonumber(flat[i + 1])
    if index < oldest then
      redis.call('HDEL', KEYS[k], flat[i])
    else
      table.insert(live, { index, count })
      used = used + count
    end
  end
  if used + cost > limits[k] then
    local w = n * bucketMs
    if cost <= limits[k] then
      table.sort(live, function(a, b) return a[1] < b[1] end)
      for _, bucket in ipairs(live) do
        used = used - bucket[2]
        if used + cost <= limits[k] then
          w = (bucket[1] + n) * bucketMs - now
          break
        end
      end
    end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for k = 1, 2 do
  redis.call('HINCRBY', KEYS[k], string.format('%d', current), cost)
  redis.call('PEXPIRE', KEYS[k], (n + 1) * bucketMs)
end
return 0
`;

const PAUSE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0
`;

/**
 * The budget on Redis: every worker and API process of a deployment takes from the same
 * per-user and per-project windows. Clocks are the callers' (`now`), so the processes' clocks
 * must agree to within a second or so (NTP), as they must for BullMQ's delayed jobs anyway.
 */
export function createRedisBudget(options: {
  redisUrl: string;
  prefix: string;
  quotas: Quotas;
}): RequestBudget {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // a take then rejects, and the job's request is retried like an outage
  const { prefix, quotas } = options;
  return {
    async take(userId, cost, now) {
      const wait = Number(
        await redis.eval(
          TAKE,
          3,
          `${prefix}:user:${userId}`,
          `${prefix}:project`,
          `${prefix}:pause:${userId}`,
          cost,
          Math.floor(now),
          quotas.perUserPerMinute,
          quotas.perProjectPerMinute,
          BUCKET_MS,
          WINDOW_BUCKETS,
        ),
      );
      return wait > 0 ? { granted: false, retryAfterMs: wait } : { granted: true };
    },
    async pauseUser(userId, until) {
      await redis.eval(PAUSE, 1, `${prefix}:pause:${userId}`, Math.ceil(until), REFUSAL_PAUSE_MS * 2);
    },
    async close() {
      redis.disconnect();
    },
  };
}
