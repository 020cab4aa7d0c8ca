import { parseRepoConfig, REPO_CONFIG_FILE } from '../config/repo-config.js';
import type { RepoConfig } from '../config/repo-config.js';
import type { JobHandler, ReviewJob } from '../ports/job-queue.js';
import { RetryLaterError, retryDelayMs, reviewJobId } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { CheckOutput, PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { renderFailureOutput, renderSkippedOutput } from '../render/render-check.js';
import { authorSkipped } from '../render/render-limit.js';
import { completeStaleChecks } from './complete-stale-checks.js';
import { handleCommand } from './handle-command.js';
import { mayRequestReview } from './may-request-review.js';
import { RE_REVIEW } from './publish.js';
import { reviewPullRequest } from './review-pull-request.js';
import { settledRunOfHead } from './settled-run-of-head.js';
import type { PipelineDeps } from './review-pull-request.js';

export interface ReviewRunnerDeps extends PipelineDeps {
  hostFor: (installationId: number) => Promise<PullRequestHost>;
  log: Logger;
}

const RETRY_HINT = 'Comment `/review` on the pull request, or use **Re-run** on this check, to try again.';

/** One job = one review of one head sha. The only place that orders I/O; everything it decides is pure. */
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
    if (existing?.status === 'completed') {
      log.info({ checkRunId: existing.id }, 'run already completed; nothing to do');
      return;
    }
    // Marked ready or reopened: a head an earlier run reviewed is not reviewed again. One that was only skipped (a
    // draft) is, in a check run of its own: GitHub shows, and branch protection uses, the newest run of a name on a
    // commit (https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference, `filter: latest`),
    // and a completed run cannot be set back in progress, so the new run supersedes the skipped one.
    const settled = existing ? undefined : settledRunOfHead(runs, job);
    if (settled) {
      log.info({ checkRunId: settled.id, settledBy: settled.externalId }, 'head already reviewed by an earlier run; nothing to do');
      return;
    }
    const started = deps.clock.now();
    // The pull request is read while the check run is created (one round trip instead of two); a failure to read
    // it is observed now and thrown below, where the check run exists to report it.
    const prLoading = host.getPullRequest(ref);
    prLoading.catch(() => undefined);
    const checkRunId =
      existing?.id ??
      (
        await host.createCheckRun(ref, {
          name: deps.settings.checkName,
          headSha: job.headSha,
          externalId: jobId,
          output: { title: 'Review in progress', summary: `Bulwark is reviewing \`${job.headSha.slice(0, 7)}\`.` },
        })
      ).id;
    if (existing) host.learnOwnIdentity(existing.appSlug);
    // Other runs of this head that a stopped process left in progress (README: every review job ends in a completed check run).
    await completeStaleChecks({ host, ref, job, checkName: deps.settings.checkName, runs, control, log });
    log.info({ checkRunId, trigger: job.trigger, resumed: existing !== undefined }, 'review started');

    const complete = (conclusion: 'success' | 'neutral' | 'failure' | 'skipped', output: CheckOutput) =>
      host.completeCheckRun(ref, checkRunId, { conclusion, output, actions: RE_REVIEW });

    try {
      if (!config.ok) {
        await complete('neutral', configProblemOutput(config.problems));
        log.warn({ problems: config.problems }, 'invalid repo config');
        return;
      }
      const pr = await prLoading;
      const skip = gate(job, pr, config.config);
      if (skip) {
        await complete('skipped', renderSkippedOutput(skip.reason, skip.detail));
        log.info({ reason: skip.reason }, 'review skipped');
        return;
      }
      await reviewPullRequest({ deps, host, ref, job, pr, config: config.config, checkRunId, resumed: existing !== undefined, started, log, control, complete });
    } catch (error) {
      if (isRetryable(error) && control.attempt < control.maxAttempts) {
        const delayMs = retryAfterOf(error);
        log.warn({ err: error, attempt: control.attempt, maxAttempts: control.maxAttempts, retryAfterMs: delayMs }, 'review failed; will retry');
        const retry = new RetryLaterError('retryable failure', { cause: error, delayMs });
        await host
          .updateCheckRun(ref, checkRunId, {
            title: 'Review in progress',
            summary: `A temporary failure interrupted the review (${describeFailure(error).message}); retrying${whenRetrying(retry, control.attempt, deps.settings.retryBackoffMs)}.`,
          })
          .catch(() => undefined);
        throw retry;
      }
      await completeAfterFailure(error, complete, log);
    }
  });
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

/** When the queue will run the job again (the same rule the queues apply), as the check run says it. */
export function whenRetrying(retry: RetryLaterError, attempt: number, backoffMs: number | undefined): string {
  if (backoffMs === undefined) return retry.delayMs === undefined ? '' : ` in about ${describeWait(retry.delayMs)}, as the service asked`;
  const waitMs = retryDelayMs(backoffMs, attempt, retry);
  const asked = retry.delayMs !== undefined && retry.delayMs >= waitMs;
  return ` in about ${describeWait(waitMs)}${asked ? ', as the service asked' : ''}`;
}

function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

async function completeAfterFailure(
  error: unknown,
  complete: (conclusion: 'neutral', output: CheckOutput) => Promise<void>,
  log: Logger,
): Promise<void> {
  const failure = describeFailure(error);
  log.error({ err: error, service: failure.service, retryable: failure.retryable }, 'review failed');
  try {
    await complete('neutral', renderFailureOutput({ stage: failure.stage, service: failure.service, message: failure.message, retryHint: RETRY_HINT }));
  } catch (completionError) {
    log.error({ err: completionError }, 'could not complete the check run after a failure');
  }
}

function describeFailure(error: unknown): { stage: string; service: 'github' | 'anthropic' | 'config' | 'internal'; message: string; retryable: boolean } {
  if (error instanceof ServiceError) {
    const service = error.service === 'redis' ? 'internal' : error.service;
    const stage = error.service === 'anthropic' ? 'model review' : error.service === 'github' ? 'GitHub' : 'configuration';
    return { stage, service, message: error.message, retryable: error.retryable };
  }
  return { stage: 'review', service: 'internal', message: 'Bulwark hit an internal error; the details are in its logs.', retryable: false };
}

type ConfigLoad = { ok: true; config: RepoConfig } | { ok: false; problems: string[] };

async function loadConfig(host: PullRequestHost, ref: PullRequestRef): Promise<ConfigLoad> {
  let raw: unknown;
  try {
    raw = await host.readConfig(ref, REPO_CONFIG_FILE);
  } catch (error) {
    // Unreadable YAML is the repo's problem, not an outage: report it on the check like any invalid field.
    if (error instanceof ServiceError && error.status === undefined && /could not be parsed|not an object/i.test(describeCause(error))) {
      return { ok: false, problems: [describeCause(error)] };
    }
    throw error;
  }
  const parsed = parseRepoConfig(raw);
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, problems: parsed.problems };
}

function describeCause(error: ServiceError): string {
  const cause = error.cause;
  return cause instanceof Error ? cause.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '') : error.message;
}

function configProblemOutput(problems: string[]): CheckOutput {
  return {
    title: `Invalid .github/${REPO_CONFIG_FILE}`,
    summary: [
      `Bulwark did not review this pull request because \`.github/${REPO_CONFIG_FILE}\` (default branch) is invalid:`,
      '',
      ...problems.map((problem) => `- \`${problem.split(':')[0]}\`:${problem.slice(problem.indexOf(':') + 1)}`),
      '',
      'Fix the file on the default branch, then comment `/review` or use **Re-run** on this check.',
    ].join('\n'),
  };
}

function triggerEnabled(job: ReviewJob, config: RepoConfig): boolean {
  if (job.trigger === 'command' || job.trigger === 'rerequested') return true;
  // A retargeted pull request is reviewed again wherever pull requests are reviewed on their own at all.
  if (job.trigger === 'base_changed') return config.review.on.length > 0;
  return config.review.on.includes(job.trigger);
}

function gate(job: ReviewJob, pr: PullRequestInfo, config: RepoConfig): { reason: string; detail: string } | undefined {
  if (pr.state !== 'open') return { reason: 'Pull request is closed', detail: `#${pr.number} is ${pr.merged ? 'merged' : 'closed'}; Bulwark reviews open pull requests only.` };
  if (pr.headSha !== job.headSha) {
    return { reason: 'Newer commits', detail: `The pull request moved on to \`${pr.headSha.slice(0, 7)}\`; this commit was not reviewed. Comment \`/review\` to review the latest commit.` };
  }
  const explicit = job.trigger === 'command' || job.trigger === 'rerequested';
  if (pr.draft && !config.review.drafts && !explicit) {
    return { reason: 'Draft pull request', detail: 'Bulwark reviews drafts when they are marked ready for review (or set `review.drafts: true`). Comment `/review` to review it now.' };
  }
  if (pr.author.isBot && !config.review.bots && !explicit) {
    return { reason: 'Opened by a bot', detail: `Pull requests by bots (${pr.author.login}) are skipped unless \`review.bots: true\` is set.` };
  }
  const { authors } = config.review;
  if (authors !== 'all' && !explicit && !authors.some((association) => association === pr.author.association)) return authorSkipped(pr.author.association, authors);
  return undefined;
}
