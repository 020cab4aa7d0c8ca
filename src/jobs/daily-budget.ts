import { nextUtcMidnight } from '../ports/budget-store.js';
import type { BudgetUsage } from '../ports/budget-store.js';
import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import { isRequestedByWriter } from '../review/requested-by-writer.js';
import type { ReviewScope } from '../review/review-scope.js';
import type { SpendLimit } from '../review/spend-limit.js';

type BudgetDeps = Pick<PipelineDeps, 'settings' | 'budget' | 'clock'>;

/**
 * The daily limit that stops this review before the model is asked, if one does; checked in the order that
 * spends nothing first. The installation's budget (shared across replicas) holds for every review; the limit of
 * automatic full reviews per pull request holds only for reviews nobody with write access asked for (a fork's
 * author closing and reopening a pull request starts a new one each time). A review that passes is counted then,
 * once per job (a retry is not counted again). A store that cannot answer throws its retryable error: the job
 * is retried before any money is spent.
 */
export async function spendLimitReached(deps: BudgetDeps, job: ReviewJob, scope: Pick<ReviewScope, 'mode'>): Promise<SpendLimit | undefined> {
  const { tokens, usd, autoReviewsPerPullRequest: perPullRequest } = deps.settings.dailyBudget;
  if (!deps.budget) return undefined;
  const now = deps.clock.now();
  const resetsAt = nextUtcMidnight(now);
  const spent = tokens !== undefined || usd !== undefined ? await deps.budget.spent(job.installationId, now) : { tokens: 0, usd: 0 };
  if (tokens !== undefined && spent.tokens >= tokens) return { kind: 'installation-tokens', limit: tokens, resetsAt };
  if (usd !== undefined && spent.usd >= usd) return { kind: 'installation-usd', limit: usd, resetsAt };
  if (perPullRequest === undefined || scope.mode !== 'full' || isRequestedByWriter(job)) return undefined;
  const claim = await deps.budget.claimReview(job, reviewJobId(job), perPullRequest, now);
  return claim.allowed ? undefined : { kind: 'pull-request-reviews', limit: perPullRequest, resetsAt };
}

/**
 * Records what the model already answered for. Best effort: the answers are paid for, so a store that fails
 * (Redis away) is logged and the review is still published rather than lost or paid for again.
 */
export async function recordSpend(deps: BudgetDeps, job: ReviewJob, usage: BudgetUsage, log: Logger): Promise<void> {
  try {
    await deps.budget?.add(job.installationId, usage, deps.clock.now());
  } catch (error) {
    log.warn({ err: error, installation: job.installationId, tokens: usage.tokens }, 'could not record what the review spent; publishing it anyway');
  }
}
