/** Tokens and dollars spent on model calls. */
export interface BudgetUsage {
  tokens: number;
  usd: number;
}

/** The pull request an automatic review is counted against. */
export interface ReviewedPullRequest {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
}

/** Whether a review may run, and how many reviews of the pull request are counted that UTC day (this one included when allowed). */
export interface ReviewClaim {
  allowed: boolean;
  count: number;
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
  /**
   * Counts review `reviewId` against the pull request for the UTC day of `now`, unless `limit` other reviews are
   * counted already (then it is refused and not counted). A review counted already (a retry or redelivery of the
   * same job) is allowed again without counting twice. Atomic across replicas.
   */
  claimReview(pullRequest: ReviewedPullRequest, reviewId: string, limit: number, now: number): Promise<ReviewClaim>;
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

/** The start of the UTC day after the one that contains `now`: when daily counts reset. */
export function nextUtcMidnight(now: number): number {
  const day = new Date(now);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
}
