import type { BudgetUsage } from '../ports/budget-store.js';
import type { ModelUsage } from '../ports/review-model.js';

/**
 * What a review spent, as the daily budget counts it: every input token (uncached, cache writes and cache reads:
 * the tool turns of a review are mostly cache reads) and every output token.
 */
export function spentOf(usage: ModelUsage, usd: number | undefined): BudgetUsage {
  return { tokens: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens + usage.outputTokens, usd: usd ?? 0 };
}
