import type { Redis } from 'ioredis';
import type { JobKind, ReviewJob } from '../../ports/job-queue.js';
import { installationKey, repositoryKey } from '../../review/running-caps.js';
import type { CapName, RunningCaps } from '../../review/running-caps.js';
import { runScript, script } from './redis-script.js';

/**
 * The reviews running in each repository and installation, shared by every replica through Redis, so the caps hold
 * across replicas. BullMQ's open-source version has no per-group concurrency (groups are BullMQ Pro's,
 * https://docs.bullmq.io/bullmq-pro/groups), so each running job holds a *lease*: a member of a sorted set per
 * repository and per installation, scored by when it expires. The worker renews it while the job runs; a worker that
 * dies stops renewing, and its slot is free once the lease runs out, never leaked.
 *
 * A job that finds its repository or installation full is *held back*: the queue puts it aside (BullMQ's
 * `moveToDelayed`, https://docs.bullmq.io/patterns/process-step-jobs#delaying) and takes the next one, so a capped
 * repository never blocks the jobs behind it. Held-back jobs are listed per installation, people's first, then in
 * order of arrival; a job ending frees a slot and names the first of them that may now run, which the queue
 * promotes at once. A hold also runs out by itself (`holdMs`), for slots freed by an expired lease.
 *
 * Every key lives under `<prefix>:<queue>:bulwark:`; the scripts read Redis's clock, so replicas' clocks need not agree.
 */
export interface RunningSlotsOptions {
  client: Redis;
  /** `<prefix>:<queue>:bulwark:` */
  keyPrefix: string;
  /** BullMQ's key of a job id, without the id (`queue.toKey('')`), and its delayed set. */
  jobKeyPrefix: string;
  delayedKey: string;
  caps: RunningCaps;
  /** How long a slot stays held without renewal. */
  leaseMs: number;
}

/** `broughtBack`: the job had been brought back for a freed slot, which someone else took meanwhile. */
export type Claim = { ok: true } | { ok: false; cap: CapName; firstHold: boolean; broughtBack: boolean };

export interface RunningSlots {
  /** Takes a slot for the job, or says which cap holds it back (and whether this is its first hold). */
  claim(job: ReviewJob, jobId: string, kind: JobKind): Promise<Claim>;
  /** Extends the job's lease, while it runs. */
  renew(job: ReviewJob, jobId: string): Promise<void>;
  /** Frees the job's slot; answers the id of a held-back job of the installation that may run now, if any. */
  release(job: ReviewJob, jobId: string): Promise<string | undefined>;
  /**
   * The held-back job of the job's installation that may run now, if any: when a job brought back for a freed slot
   * found it taken, the slot it was brought back for may still be free for another.
   */
  passOn(job: ReviewJob): Promise<string | undefined>;
  /** A held-back job that was removed (superseded) is no longer listed. */
  forget(job: ReviewJob, jobId: string): Promise<void>;
}

/** Held-back lists and their repositories live a day after their last change. */
const HELD_TTL_SECONDS = 24 * 3600;
/** Held-back jobs a release looks at, at most: the first that may run is one of the earliest. */
const RELEASE_SCAN = 200;

const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Keeps a running set alive while its newest lease is. */
const KEEP = `
local function keep(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/**
 * KEYS: repository running, installation running, installation held, installation held → repository, installation
 * promoted → place.
 * ARGV: job id, lease ms, repository cap, installation cap, repository key, hold rank (0 people, 1 automatic), held TTL (s).
 * Returns {1} with the slot taken (or renewed: a job run again after its worker died may still hold one), else
 * {0, cap, 1 if first held back, 1 if it had been brought back}. A job brought back that finds the slot taken
 * again is held back in its old place.
 */
const CLAIM_SCRIPT = script(`${NOW}${KEEP}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local leaseMs = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local repoCap = tonumber(ARGV[3])
  local installationCap = tonumber(ARGV[4])
  local cap = false
  if repoCap > 0 and redis.call('ZCARD', KEYS[1]) >= repoCap then cap = 'repository'
  elseif installationCap > 0 and redis.call('ZCARD', KEYS[2]) >= installationCap then cap = 'installation' end
  if cap then
    local place = redis.call('HGET', KEYS[5], ARGV[1])
    local first = 0
    local back = 0
    if place then
      back = 1
      redis.call('HDEL', KEYS[5], ARGV[1])
      redis.call('ZADD', KEYS[3], 'NX', place, ARGV[1])
    else
      first = redis.call('ZADD', KEYS[3], 'NX', tonumber(ARGV[6]) * 10000000000000 + now, ARGV[1])
    end
    redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
    redis.call('EXPIRE', KEYS[3], ARGV[7])
    redis.call('EXPIRE', KEYS[4], ARGV[7])
    return {0, cap, first, back}
  end
end
redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[1])
redis.call('ZADD', KEYS[2], now + leaseMs, ARGV[1])
keep(KEYS[1], leaseMs)
keep(KEYS[2], leaseMs)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return {1}
`);

/** KEYS: repository running, installation running. ARGV: job id, lease ms. Only a lease still held is extended. */
const RENEW_SCRIPT = script(`${NOW}${KEEP}
local leaseMs = tonumber(ARGV[2])
for i = 1, 2 do
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', now + leaseMs, ARGV[1]) == 1 then keep(KEYS[i], leaseMs) end
end
return 1
`);

/**
 * KEYS: repository running, installation running, installation held, installation held → repository, BullMQ delayed,
 * installation promoted → place.
 * ARGV: job id, repository cap, installation cap, prefix of repository running keys, BullMQ job key prefix, held TTL (s).
 * Frees the slot, then answers the first held-back job of the installation that is still put aside and whose
 * repository and installation have room, or false. It leaves the list at once (so a release just after this one
 * picks another), its place kept in case it finds the slot taken when it comes back.
 */
const RELEASE_SCRIPT = script(`${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local repoCap = tonumber(ARGV[2])
local installationCap = tonumber(ARGV[3])
if installationCap > 0 and redis.call('ZCARD', KEYS[2]) >= installationCap then return false end
local held = redis.call('ZRANGE', KEYS[3], 0, ${RELEASE_SCAN - 1})
for _, id in ipairs(held) do
  if redis.call('EXISTS', ARGV[5] .. id) == 0 then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  elseif redis.call('ZSCORE', KEYS[5], id) then
    local repo = redis.call('HGET', KEYS[4], id)
    if repo then
      local running = ARGV[4] .. repo
      redis.call('ZREMRANGEBYSCORE', running, '-inf', now)
      if repoCap == 0 or redis.call('ZCARD', running) < repoCap then
        redis.call('HSET', KEYS[6], id, redis.call('ZSCORE', KEYS[3], id))
        redis.call('EXPIRE', KEYS[6], ARGV[6])
        redis.call('ZREM', KEYS[3], id)
        return id
      end
    end
  end
end
return false
`);

/** KEYS: installation held, installation held → repository, installation promoted → place. ARGV: job id. */
const FORGET_SCRIPT = script(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`);

export function createRunningSlots(options: RunningSlotsOptions): RunningSlots {
  const { client, keyPrefix, caps, leaseMs } = options;
  const repositoryRunning = (job: ReviewJob) => `${keyPrefix}running:repo:${repositoryKey(job)}`;
  const installationRunning = (job: ReviewJob) => `${keyPrefix}running:installation:${installationKey(job)}`;
  const held = (job: ReviewJob) => `${keyPrefix}held:${installationKey(job)}`;
  const heldRepository = (job: ReviewJob) => `${keyPrefix}held-repo:${installationKey(job)}`;
  const promoted = (job: ReviewJob) => `${keyPrefix}promoted:${installationKey(job)}`;
  const capped = caps.perRepository > 0 || caps.perInstallation > 0;
  const next = async (job: ReviewJob, jobId: string) => {
    const keys = [repositoryRunning(job), installationRunning(job), held(job), heldRepository(job), options.delayedKey, promoted(job)];
    const found = await runScript(client, RELEASE_SCRIPT, keys, [jobId, caps.perRepository, caps.perInstallation, `${keyPrefix}running:repo:`, options.jobKeyPrefix, HELD_TTL_SECONDS]);
    return typeof found === 'string' ? found : undefined;
  };

  return {
    async claim(job, jobId, kind) {
      if (!capped) return { ok: true };
      const keys = [repositoryRunning(job), installationRunning(job), held(job), heldRepository(job), promoted(job)];
      const args = [jobId, leaseMs, caps.perRepository, caps.perInstallation, repositoryKey(job), kind === 'command' ? 0 : 1, HELD_TTL_SECONDS];
      const [taken, cap, first, back] = (await runScript(client, CLAIM_SCRIPT, keys, args)) as [number, CapName | undefined, number | undefined, number | undefined];
      return taken === 1 ? { ok: true } : { ok: false, cap: cap ?? 'repository', firstHold: first === 1, broughtBack: back === 1 };
    },
    async renew(job, jobId) {
      if (!capped) return;
      await runScript(client, RENEW_SCRIPT, [repositoryRunning(job), installationRunning(job)], [jobId, leaseMs]);
    },
    async release(job, jobId) {
      return capped ? next(job, jobId) : undefined;
    },
    async passOn(job) {
      // Frees nothing (no member is named ''), then looks for the next job as a release does.
      return capped ? next(job, '') : undefined;
    },
    async forget(job, jobId) {
      if (!capped) return;
      await runScript(client, FORGET_SCRIPT, [held(job), heldRepository(job), promoted(job)], [jobId]);
    },
  };
}
