import type { BudgetStore, BudgetUsage } from '../../ports/budget-store.js';
import { fromMicroUsd, toMicroUsd, utcDay } from '../../ports/budget-store.js';

/**
 * Spend per installation and UTC day in this process (one replica, lost on restart). Only the latest day seen
 * is kept: when `now` moves to a new day, every earlier day is dropped, so memory stays bounded by the number
 * of installations active that day.
 */
export function createMemoryBudgetStore(): BudgetStore {
  let day = '';
  let totals = new Map<number, { tokens: number; microUsd: number }>();
  /** Reviews counted per pull request (`installation/owner/repo/number`) that day. */
  let reviews = new Map<string, Set<string>>();

  /** Moves to `now`'s day when it is later; false for a day already dropped (a clock that went back). */
  const isToday = (now: number) => {
    const today = utcDay(now);
    if (today > day) {
      day = today;
      totals = new Map();
      reviews = new Map();
    }
    return today === day;
  };
  /** The totals of `now`'s day, or undefined for a day already dropped. */
  const totalsFor = (now: number) => (isToday(now) ? totals : undefined);
  const view = (total: { tokens: number; microUsd: number } | undefined): BudgetUsage => ({
    tokens: total?.tokens ?? 0,
    usd: fromMicroUsd(total?.microUsd ?? 0),
  });

  return {
    async add(installationId, usage, now) {
      const dayTotals = totalsFor(now);
      const total = { tokens: Math.round(usage.tokens), microUsd: toMicroUsd(usage.usd) };
      const previous = dayTotals?.get(installationId);
      if (previous) {
        total.tokens += previous.tokens;
        total.microUsd += previous.microUsd;
      }
      dayTotals?.set(installationId, total);
      return view(total);
    },
    async spent(installationId, now) {
      return view(totalsFor(now)?.get(installationId));
    },
    async claimReview(pullRequest, reviewId, limit, now) {
      // A day already dropped has nothing left to count against: refused, as when its count was reached.
      if (!isToday(now)) return { allowed: false, count: 0 };
      const key = `${pullRequest.installationId}/${pullRequest.owner}/${pullRequest.repo}/${pullRequest.pullNumber}`;
      const claimed = reviews.get(key) ?? new Set<string>();
      reviews.set(key, claimed);
      if (!claimed.has(reviewId)) {
        if (claimed.size >= limit) return { allowed: false, count: claimed.size };
        claimed.add(reviewId);
      }
      return { allowed: true, count: claimed.size };
    },
  };
}
