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

  /** The totals of `now`'s day, or undefined for a day already dropped (a clock that went back). */
  const totalsFor = (now: number) => {
    const today = utcDay(now);
    if (today > day) {
      day = today;
      totals = new Map();
    }
    return today === day ? totals : undefined;
  };
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
  };
}
