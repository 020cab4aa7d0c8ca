import { nextUtcMidnight } from '../ports/budget-store.js';
import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { ModelUsage } from '../ports/review-model.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import { sumUsage } from '../review/merge-chunk-reviews.js';
import { isRequestedByWriter } from '../review/requested-by-writer.js';
import type { ReviewScope } from '../review/review-scope.js';
import { countsAgainstPullRequestLimit, installationLimitReached } from '../review/spend-limit.js';
import type { SpendLimit } from '../review/spend-limit.js';
import { spentOf } from '../review/spent-of.js';

type BudgetDeps = Pick<PipelineDeps, 'settings' | 'budget' | 'clock' | 'onUsage'>;

/**
 * The daily limit that stops this review before the model is asked, if one does (src/review/spend-limit.ts
 * decides), read in the order that spends nothing first: the installation's budget (shared across replicas),
 * then a claim on the pull request's automatic reviews, counted once per job (a retry is not counted again). A
 * store that cannot answer throws its retryable error: the job is retried before any money is spent.
 */
export async function spendLimitReached(deps: BudgetDeps, job: ReviewJob, scope: Pick<ReviewScope, 'mode'>): Promise<SpendLimit | undefined> {
  const { tokens, usd, autoReviewsPerPullRequest: perPullRequest } = deps.settings.dailyBudget;
  const limits = { tokens, usd, perPullRequest };
  if (!deps.budget) return undefined;
  const now = deps.clock.now();
  const resetsAt = nextUtcMidnight(now);
  const spent = tokens !== undefined || usd !== undefined ? await deps.budget.spent(job.installationId, now) : { tokens: 0, usd: 0 };
  const reached = installationLimitReached(limits, spent, resetsAt);
  if (reached || !countsAgainstPullRequestLimit(limits, scope.mode, isRequestedByWriter(job))) return reached;
  const claim = await deps.budget.claimReview(job, reviewJobId(job), limits.perPullRequest, now);
  return claim.allowed ? undefined : { kind: 'pull-request-reviews', limit: limits.perPullRequest, resetsAt };
}

/**
 * What model calls cost, counted once when spent: the metrics and the installation's daily budget. Best effort:
 * the answers are paid for, so a store that fails (Redis away) is logged and the review is still published rather
 * than lost or paid for again. Returns the estimated cost in USD (undefined for a model without a price).
 */
export async function chargeUsage(deps: BudgetDeps, job: ReviewJob, model: string, usages: readonly ModelUsage[], log: Logger): Promise<number | undefined> {
  const usage = sumUsage(usages);
  const { usd } = estimateTotalCost(usages, model, deps.settings.prices);
  const spent = spentOf(usage, usd);
  deps.onUsage?.({ model, ...usage, usd });
  try {
    await deps.budget?.add(job.installationId, spent, deps.clock.now());
  } catch (error) {
    log.warn({ err: error, installation: job.installationId, tokens: spent.tokens }, 'could not record what the review spent; publishing it anyway');
  }
  return usd;
}
