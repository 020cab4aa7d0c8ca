import { nextUtcMidnight } from '../ports/budget-store.js';
import type { BudgetUsage } from '../ports/budget-store.js';
import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { ModelUsage } from '../ports/review-model.js';
import { renderSpendLimitOutput } from '../render/render-limit.js';
import type { SpendLimit } from '../render/render-limit.js';
import type { PipelineDeps, PipelineInput } from './review-pull-request.js';
import type { ReviewScope } from './review-scope.js';

/** A review someone asked for by hand: a `/review` command (write permission checked) or Re-run (needs write access to the repo). */
export function isRequestedByWriter(job: ReviewJob): boolean {
  return job.trigger === 'command' || job.trigger === 'rerequested';
}

/**
 * The daily limit that stops this review before the model is asked, if one does; checked in the order that
 * spends nothing first. The installation's budget (shared across replicas) holds for every review; the limit of
 * automatic full reviews per pull request holds only for reviews nobody with write access asked for (a fork's
 * author closing and reopening a pull request starts a new one each time). A review that passes is counted then,
 * once per job (a retry is not counted again). A store that cannot answer throws its retryable error: the job
 * is retried before any money is spent.
 */
export async function spendLimitReached(deps: PipelineDeps, job: ReviewJob, scope: Pick<ReviewScope, 'mode'>): Promise<SpendLimit | undefined> {
  const { tokens, usd, autoReviewsPerPullRequest } = deps.settings.dailyBudget;
  if (!deps.budget) return undefined;
  const now = deps.clock.now();
  const resetsAt = nextUtcMidnight(now);
  if (tokens !== undefined || usd !== undefined) {
    const spent = await deps.budget.spent(job.installationId, now);
    if (tokens !== undefined && spent.tokens >= tokens) return { kind: 'installation-tokens', limit: tokens, resetsAt };
    if (usd !== undefined && spent.usd >= usd) return { kind: 'installation-usd', limit: usd, resetsAt };
  }
  if (autoReviewsPerPullRequest !== undefined && scope.mode === 'full' && !isRequestedByWriter(job)) {
    const claim = await deps.budget.claimReview(job, reviewJobId(job), autoReviewsPerPullRequest, now);
    if (!claim.allowed) return { kind: 'pull-request-reviews', limit: autoReviewsPerPullRequest, resetsAt };
  }
  return undefined;
}

export async function completeOverBudget(input: PipelineInput, limit: SpendLimit): Promise<void> {
  await input.complete('neutral', renderSpendLimitOutput(limit));
  input.log.warn({ installation: input.job.installationId, limit: limit.kind }, 'daily limit reached');
}

/**
 * What a review spent, as the daily budget counts it: every input token (uncached, cache writes and cache reads:
 * the tool turns of a review are mostly cache reads) and every output token.
 */
export function spentOf(usage: ModelUsage, usd: number | undefined): BudgetUsage {
  return { tokens: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens + usage.outputTokens, usd: usd ?? 0 };
}

/**
 * Records what the model already answered for. Best effort: the answers are paid for, so a store that fails
 * (Redis away) is logged and the review is still published rather than lost or paid for again.
 */
export async function recordSpend(input: PipelineInput, usage: BudgetUsage): Promise<void> {
  const { deps, job, log } = input;
  try {
    await deps.budget?.add(job.installationId, usage, deps.clock.now());
  } catch (error) {
    log.warn({ err: error, installation: job.installationId, tokens: usage.tokens }, 'could not record what the review spent; publishing it anyway');
  }
}
