/** The daily limit that stopped a review before the model was asked, and when (ms since epoch) its count starts again. */
export type SpendLimit =
  | { kind: 'installation-tokens'; limit: number; resetsAt: number }
  | { kind: 'installation-usd'; limit: number; resetsAt: number }
  | { kind: 'pull-request-reviews'; limit: number; resetsAt: number };

/** What a review may spend in a UTC day: the installation's budget, and automatic full reviews per pull request. */
export interface DailyLimits {
  tokens?: number | undefined;
  usd?: number | undefined;
  perPullRequest?: number | undefined;
}

/** The installation's budget spent up to `spent`, if it is. */
export function installationLimitReached(limits: DailyLimits, spent: { tokens: number; usd: number }, resetsAt: number): SpendLimit | undefined {
  if (limits.tokens !== undefined && spent.tokens >= limits.tokens) return { kind: 'installation-tokens', limit: limits.tokens, resetsAt };
  if (limits.usd !== undefined && spent.usd >= limits.usd) return { kind: 'installation-usd', limit: limits.usd, resetsAt };
  return undefined;
}

/**
 * The limit of automatic full reviews per pull request holds only for reviews nobody with write access asked for
 * (a fork's author closing and reopening a pull request starts a new one each time); an incremental review is not
 * counted.
 */
export function countsAgainstPullRequestLimit(limits: DailyLimits, mode: string, requestedByWriter: boolean): limits is DailyLimits & { perPullRequest: number } {
  return limits.perPullRequest !== undefined && mode === 'full' && !requestedByWriter;
}
