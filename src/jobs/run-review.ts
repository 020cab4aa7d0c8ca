import { parseRepoConfig, REPO_CONFIG_FILE } from '../config/repo-config.js';
import type { RepoConfig } from '../config/repo-config.js';
import type { JobControl, JobHandler, ReviewJob } from '../ports/job-queue.js';
import { RetryLaterError, reviewJobId } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { renderInProgress } from '../render/render-in-progress.js';
import { renderRetrying } from '../render/render-retrying.js';
import { configProblemOf } from '../review/config-problem-of.js';
import { failedOutcome } from '../review/failed-outcome.js';
import { gateReview } from '../review/gate-review.js';
import type { ReviewOutcome } from '../review/review-outcome.js';
import { settledRunOfHead } from '../review/settled-run-of-head.js';
import { triggerEnabled } from '../review/trigger-enabled.js';
import { completeCheck } from './complete-check.js';
import { completeStaleChecks } from './complete-stale-checks.js';
import { handleCommand } from './handle-command.js';
import { mayRequestReview } from './may-request-review.js';
import { reviewPullRequest } from './review-pull-request.js';

export interface ReviewRunnerDeps extends PipelineDeps {
  hostFor: (installationId: number) => Promise<PullRequestHost>;
  log: Logger;
}

/**
 * One job = one review of one head sha: the order of its I/O. Whatever happens once the check run exists ends in
 * one `completeCheck` with an outcome (README: every review job ends in a completed check run), or in a retry.
 */
export function createReviewRunner(deps: ReviewRunnerDeps): JobHandler {
  return retryBeforeTheCheck(async (queued, control) => {
    const ref: PullRequestRef = { installationId: queued.installationId, owner: queued.owner, repo: queued.repo, pullNumber: queued.pullNumber };
    const baseLog = deps.log.child({ delivery: queued.deliveryId, repo: `${queued.owner}/${queued.repo}`, pr: queued.pullNumber, run: queued.run });
    const host = await deps.hostFor(queued.installationId);
    const job = await resolveJob(host, ref, queued, baseLog);
    if (!job) return;
    const jobId = reviewJobId(job);
    const log = baseLog.child({ jobId, attempt: control.attempt });

    const config = await loadConfig(host, ref);
    if (config.ok && !triggerEnabled(job, config.config)) {
      // Not a review the repo asked for (e.g. a push without `synchronize` in review.on): no check run, no noise.
      log.debug({ trigger: job.trigger }, 'trigger not enabled by repo config');
      return;
    }
    // Exactly once: a redelivered or retried job finds the check run an earlier attempt created.
    const runs = await host.listCheckRuns(ref, job.headSha, deps.settings.checkName);
    const existing = runs.find((run) => run.externalId === jobId);
    if (existing?.status === 'completed') return log.info({ checkRunId: existing.id }, 'run already completed; nothing to do');
    // Marked ready or reopened: a head an earlier run reviewed is not reviewed again. One that was only skipped (a
    // draft) is, in a check run of its own: GitHub shows, and branch protection uses, the newest run of a name on a
    // commit (https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference, `filter: latest`),
    // and a completed run cannot be set back in progress, so the new run supersedes the skipped one.
    const settled = existing ? undefined : settledRunOfHead(runs, job);
    if (settled) return log.info({ checkRunId: settled.id, settledBy: settled.externalId }, 'head already reviewed by an earlier run; nothing to do');
    const started = deps.clock.now();
    // The pull request is read while the check run is created (one round trip instead of two); a failure to read
    // it is observed now and thrown below, where the check run exists to report it.
    const prLoading = host.getPullRequest(ref);
    prLoading.catch(() => undefined);
    const start = { name: deps.settings.checkName, headSha: job.headSha, externalId: jobId, output: renderInProgress(job.headSha) };
    const checkRunId = existing?.id ?? (await host.createCheckRun(ref, start)).id;
    if (existing) host.learnOwnIdentity(existing.appSlug);
    // Other runs of this head that a stopped process left in progress (README: every review job ends in a completed check run).
    await completeStaleChecks({ host, ref, job, checkName: deps.settings.checkName, runs, control, log });
    log.info({ checkRunId, trigger: job.trigger, resumed: existing !== undefined }, 'review started');

    try {
      const outcome = await (async (): Promise<ReviewOutcome> => {
        if (!config.ok) return { kind: 'config-invalid', file: REPO_CONFIG_FILE, problems: config.problems };
        const pr = await prLoading;
        const skip = gateReview(job, pr, config.config);
        if (skip) return { kind: 'skipped', why: skip };
        return reviewPullRequest({ deps, host, ref, job, pr, config: config.config, resumed: existing !== undefined, started, log, control });
      })();
      log.info({ outcome: outcome.kind }, 'review run ended');
      await completeCheck(host, ref, checkRunId, outcome);
    } catch (error) {
      await retryOrFail(error, host, ref, checkRunId, control, log, deps.settings.retryBackoffMs);
    }
  });
}

/**
 * A failure after the check run exists: a passing one with attempts left is retried (the check says when); any
 * other becomes a `failed` outcome. Completing it may fail too (GitHub down): that is logged, as nothing is left.
 */
async function retryOrFail(error: unknown, host: PullRequestHost, ref: PullRequestRef, checkRunId: number, control: JobControl, log: Logger, backoffMs: number | undefined): Promise<void> {
  const failed = failedOutcome(error);
  if (isRetryable(error) && control.attempt < control.maxAttempts) {
    const retry = new RetryLaterError('retryable failure', { cause: error, delayMs: retryAfterOf(error) });
    log.warn({ err: error, attempt: control.attempt, maxAttempts: control.maxAttempts, retryAfterMs: retry.delayMs }, 'review failed; will retry');
    await host.updateCheckRun(ref, checkRunId, renderRetrying(failed.message ?? '', retry, control.attempt, backoffMs)).catch(() => undefined);
    throw retry;
  }
  log.error({ err: error, service: failed.service, retryable: isRetryable(error) }, 'review failed');
  await completeCheck(host, ref, checkRunId, failed).catch((completionError: unknown) => log.error({ err: completionError }, 'could not complete the check run after a failure'));
}

/**
 * Until the check run exists (config, check-run lookup and creation) a failure has no check to be reported on and
 * the handler's own try does not see it: a retryable one is retried like any other, a last one is logged by the queue.
 */
function retryBeforeTheCheck(handler: JobHandler): JobHandler {
  return async (job, control) => {
    try {
      await handler(job, control);
    } catch (error) {
      if (isRetryable(error) && control.attempt < control.maxAttempts) {
        throw new RetryLaterError('retryable failure before the check run existed', { cause: error, delayMs: retryAfterOf(error) });
      }
      throw error;
    }
  };
}

/**
 * A command job learns its head sha only now, after the commenter's permission is checked (no model call,
 * no check run and at most one reply for anyone else). A Re-run or Re-review job goes on only when its sender has
 * write permission: nothing is created or posted for anyone else.
 */
async function resolveJob(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<ReviewJob | undefined> {
  if (job.trigger === 'rerequested') return (await mayRequestReview(host, ref, job.requestedBy, log)) ? job : undefined;
  if (!job.command) return job;
  if (!(await handleCommand(host, ref, job, log))) return undefined;
  const pr = await host.getPullRequest(ref);
  return { ...job, headSha: pr.headSha };
}

/** The wait a rate-limited service asked for, if it named one. */
function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ServiceError ? error.retryAfterMs : undefined;
}

type ConfigLoad = { ok: true; config: RepoConfig } | { ok: false; problems: string[] };

/** The repository config (default branch); a broken file is reported on the check like any invalid field. */
async function loadConfig(host: PullRequestHost, ref: PullRequestRef): Promise<ConfigLoad> {
  let raw: unknown;
  try {
    raw = await host.readConfig(ref, REPO_CONFIG_FILE);
  } catch (error) {
    const problem = configProblemOf(error);
    if (problem === undefined) throw error;
    return { ok: false, problems: [problem] };
  }
  const parsed = parseRepoConfig(raw);
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, problems: parsed.problems };
}
