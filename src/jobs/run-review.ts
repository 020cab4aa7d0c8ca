import { classifyRepoConfig } from '../config/classify-repo-config.js';
import { REPO_CONFIG_FILE } from '../config/repo-config.js';
import type { RepoConfig } from '../config/repo-config.js';
import type { JobControl, JobHandler, RetryLaterError } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { isRetryable } from '../ports/service-error.js';
import { renderInProgress } from '../render/render-in-progress.js';
import { renderRetrying } from '../render/render-retrying.js';
import { failedOutcome } from '../review/failed-outcome.js';
import { pausedBy } from '../conversation/pause-state.js';
import { gateReview } from '../review/gate-review.js';
import { retryOf } from '../review/retry-of.js';
import type { ReviewOutcome } from '../review/review-outcome.js';
import { runToResume } from '../review/run-to-resume.js';
import { isSupersededError, stopWhenSuperseded } from '../review/stop-when-superseded.js';
import { triggerEnabled } from '../review/trigger-enabled.js';
import { asRequested } from '../review/as-requested.js';
import { completeCheck } from './complete-check.js';
import { completeStaleChecks } from './complete-stale-checks.js';
import { resolveJob } from './resolve-job.js';
import { reviewPullRequest } from './review-pull-request.js';
import type { PipelineInput } from './review-pull-request.js';

export interface ReviewRunnerDeps extends PipelineDeps {
  hostFor: (installationId: number) => Promise<PullRequestHost>;
  log: Logger;
}

/**
 * One job = one review of one head sha: the order of its I/O. Whatever happens once the check run exists ends in
 * one `completeCheck` with an outcome (README: every review job ends in a completed check run), or in a retry.
 * Before the check run exists a failure has nowhere to be reported: it is retried, or logged by the queue.
 */
export function createReviewRunner(deps: ReviewRunnerDeps): JobHandler {
  return async (queued, control) => {
    const ref: PullRequestRef = { installationId: queued.installationId, owner: queued.owner, repo: queued.repo, pullNumber: queued.pullNumber };
    let log = deps.log.child({ delivery: queued.deliveryId, repo: `${queued.owner}/${queued.repo}`, pr: queued.pullNumber, run: queued.run });
    let checked: { host: PullRequestHost; checkRunId: number } | undefined;
    try {
      const host = await deps.hostFor(queued.installationId);
      const resolved = await resolveJob(host, ref, queued, log);
      if (!resolved) return;
      const { job } = resolved;
      const jobId = reviewJobId(job);
      log = log.child({ jobId, attempt: control.attempt });
      // The repository config (default branch); a broken file is reported on the check like any invalid field.
      const config = classifyRepoConfig(await host.readConfig(ref, REPO_CONFIG_FILE).then((raw) => ({ raw }), (error: unknown) => ({ error })));
      // Not a review the repo asked for (e.g. a push without `synchronize` in review.on): no check run, no noise.
      if (config.ok && !triggerEnabled(job, config.config)) return log.debug({ trigger: job.trigger }, 'trigger not enabled by repo config');
      const runs = await host.listCheckRuns(ref, job.headSha, deps.settings.checkName);
      const found = runToResume(runs, job);
      if (found.kind === 'done') return log.info({ checkRunId: found.run.id }, 'run already completed; nothing to do');
      if (found.kind === 'settled') return log.info({ checkRunId: found.run.id, settledBy: found.run.externalId }, 'head already reviewed by an earlier run; nothing to do');
      const existing = found.run;
      const started = deps.clock.now();
      // The pull request (unless a command job read it already) is read while the check run is created (one round
      // trip instead of two); a failure to read it is observed now and thrown below, where the check run exists to report it.
      const prLoading = resolved.pr ? Promise.resolve(resolved.pr) : host.getPullRequest(ref);
      prLoading.catch(() => undefined);
      const start = { name: deps.settings.checkName, headSha: job.headSha, externalId: jobId, output: renderInProgress(job.headSha) };
      checked = { host, checkRunId: existing?.id ?? (await host.createCheckRun(ref, start)).id };
      if (existing) host.learnOwnIdentity(existing.appSlug);
      // Other runs of this head that a stopped process left in progress (README: every review job ends in a completed check run).
      await completeStaleChecks(host, ref, job, runs, deps.settings.checkName, control, log);
      log.info({ checkRunId: checked.checkRunId, trigger: job.trigger, resumed: existing !== undefined }, 'review started');
      const pipeline = { deps: deps.modelForRun ? { ...deps, model: deps.modelForRun({ host, ref, checkRunId: checked.checkRunId, headSha: job.headSha, log }) } : deps, host, ref, job, resumed: existing !== undefined, started, log, control };
      const outcome: ReviewOutcome = config.ok ? await review(pipeline, await prLoading, config.config) : { kind: 'config-invalid', file: REPO_CONFIG_FILE, problems: config.problems };
      log.info({ outcome: outcome.kind }, 'review run ended');
      await completeCheck(host, ref, checked.checkRunId, outcome);
    } catch (error) {
      const retry = retryOf(error, control, checked ? 'retryable failure' : 'retryable failure before the check run existed');
      if (!checked) throw retry ?? error;
      await retryOrFail(error, retry, checked.host, ref, checked.checkRunId, control, log, deps.settings.retryBackoffMs);
    }
  };
}

/** The gate, then the review. */
async function review(input: Omit<PipelineInput, 'pr' | 'config'>, pr: PullRequestInfo, config: RepoConfig): Promise<ReviewOutcome> {
  const skip = gateReview(input.job, pr, config, await pausedBy(input.host, input.ref, input.job, pr, config));
  return skip ? { kind: 'skipped', why: skip } : reviewPullRequest(asRequested({ ...input, deps: { ...input.deps, model: stopWhenSuperseded(input.deps.model, input.job, input.control) }, pr, config }));
}

/**
 * A failure after the check run exists: a passing one with attempts left is retried (the check says when); any
 * other becomes a `failed` outcome. Completing it may fail too (GitHub down): that is logged, as nothing is left.
 */
async function retryOrFail(error: unknown, retry: RetryLaterError | undefined, host: PullRequestHost, ref: PullRequestRef, checkRunId: number, control: JobControl, log: Logger, backoffMs: number | undefined): Promise<void> {
  if (isSupersededError(error)) return completeCheck(host, ref, checkRunId, { kind: 'skipped', why: { kind: 'superseded' } }).catch((failure: unknown) => log.error({ err: failure }, 'could not complete the check run of a superseded review'));
  const failed = failedOutcome(error);
  if (retry) {
    log.warn({ err: error, attempt: control.attempt, maxAttempts: control.maxAttempts, retryAfterMs: retry.delayMs }, 'review failed; will retry');
    await host.updateCheckRun(ref, checkRunId, renderRetrying(failed.message ?? '', retry, control.attempt, backoffMs)).catch(() => undefined);
    throw retry;
  }
  log.error({ err: error, service: failed.service, retryable: isRetryable(error) }, 'review failed');
  await completeCheck(host, ref, checkRunId, failed).catch((completionError: unknown) => log.error({ err: completionError }, 'could not complete the check run after a failure'));
}
