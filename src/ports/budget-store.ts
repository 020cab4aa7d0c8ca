/** Tokens and dollars spent on model calls. */
export interface BudgetUsage {
  tokens: number;
  usd: number;
}

/**
 * Spend per installation and UTC day, shared by every replica when it lives in Redis. Dollars are kept as whole
 * micro-dollars, so totals do not drift with floating-point sums (a sub-micro-dollar amount rounds to the
 * nearest micro-dollar).
 */
export interface BudgetStore {
  /** Adds usage to the installation's total for the UTC day of `now` (ms since epoch); returns the new total. */
  add(installationId: number, usage: BudgetUsage, now: number): Promise<BudgetUsage>;
  /** The installation's total for the UTC day of `now`; zero when nothing was spent. */
  spent(installationId: number, now: number): Promise<BudgetUsage>;
}

/** `yyyy-mm-dd` of the UTC day that contains `now`. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Whole micro-dollars, the unit budget stores count in. */
export function toMicroUsd(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function fromMicroUsd(microUsd: number): number {
  return microUsd / 1_000_000;
}
