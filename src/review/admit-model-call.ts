import type { RateLimitAdmission, RateLimitDimension, RateLimitNeed, RateLimitPolicy, RateLimitReason, RateLimitState, RateLimitWindow } from '../ports/rate-limiter.js';

type Windows = RateLimitState['windows'];

/**
 * Whether a call may go now, against what is known of its model's limits, and the state after it: an admitted call
 * reserves what it needs, so the next call (on any replica) counts it before the provider has answered.
 *
 * A call waits until a window's reset when it would leave less than the margin of that limit (its whole need, and
 * the margin, are capped at the limit: a call larger than the limit goes once the window is full), and until a
 * 429's retry-after has passed. A window whose reset has passed is full again (the provider's reset is when its
 * bucket is full: https://platform.claude.com/docs/en/api/rate-limits); with its limit unknown it says nothing.
 * `tokens` (the most restrictive of the token limits) is used only when the input and output limits are not reported.
 */
export function admitModelCall(state: RateLimitState | undefined, need: RateLimitNeed, now: number, policy: RateLimitPolicy): { admission: RateLimitAdmission; state: RateLimitState } {
  const windows = currentWindows(state?.windows ?? {}, now, policy);
  const blockedUntil = state?.blockedUntil !== undefined && state.blockedUntil > now ? state.blockedUntil : undefined;
  let wait: { until: number; reason: RateLimitReason } | undefined = blockedUntil === undefined ? undefined : { until: blockedUntil, reason: 'retry-after' };
  for (const [dimension, window] of entriesOf(windows)) {
    if (dimension === 'tokens' && (windows['input-tokens'] || windows['output-tokens'])) continue;
    if (window.remaining >= threshold(needOf(need, dimension), window, policy.margin)) continue;
    if (!wait || window.resetAt > wait.until) wait = { until: window.resetAt, reason: dimension };
  }
  if (wait) return { admission: { admitted: false, ...wait }, state: { windows, ...(blockedUntil === undefined ? {} : { blockedUntil }) } };
  const reserved: Windows = {};
  for (const [dimension, window] of entriesOf(windows)) reserved[dimension] = { ...window, remaining: Math.max(0, window.remaining - needOf(need, dimension)) };
  return { admission: { admitted: true }, state: { windows: reserved } };
}

/** What must be left for the call to go: its need plus the margin, at most the whole limit. */
function threshold(need: number, window: RateLimitWindow, margin: number): number {
  if (window.limit === undefined) return need;
  return Math.min(need + margin * window.limit, window.limit);
}

function needOf(need: RateLimitNeed, dimension: RateLimitDimension): number {
  switch (dimension) {
    case 'requests':
      return need.requests;
    case 'input-tokens':
      return need.inputTokens;
    case 'output-tokens':
      return need.outputTokens;
    case 'tokens':
      return need.inputTokens + need.outputTokens;
  }
}

/** Windows past their reset: full for another period when the limit is known, otherwise forgotten. */
function currentWindows(windows: Windows, now: number, policy: RateLimitPolicy): Windows {
  const current: Windows = {};
  for (const [dimension, window] of entriesOf(windows)) {
    if (window.resetAt > now) current[dimension] = window;
    else if (window.limit !== undefined) current[dimension] = { limit: window.limit, remaining: window.limit, resetAt: now + policy.windowMs };
  }
  return current;
}

export function entriesOf(windows: Windows): [RateLimitDimension, RateLimitWindow][] {
  return Object.entries(windows).filter((entry): entry is [RateLimitDimension, RateLimitWindow] => entry[1] !== undefined);
}
