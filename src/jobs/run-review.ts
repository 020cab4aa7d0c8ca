import picomatch from 'picomatch';
import { parseRepoConfig, REPO_CONFIG_FILE } from '../config/repo-config.js';
import type { RepoConfig } from '../config/repo-config.js';
import type { Clock } from '../ports/clock.js';
import type { JobControl, JobHandler, ReviewJob } from '../ports/job-queue.js';
import { RetryLaterError, reviewJobId } from '../ports/job-queue.js';
import { handleCommand } from './handle-command.js';
import type { Logger } from '../ports/logger.js';
import type { CheckOutput, PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { RE_REVIEW_ACTION } from '../ports/pull-request-host.js';
import type { ModelReview, ReviewModel } from '../ports/review-model.js';
import { ServiceError } from '../ports/service-error.js';
import { batchAnnotations, renderCheckOutput, renderFailureOutput, renderSkippedOutput } from '../render/render-check.js';
import { renderLedger } from '../render/render-ledger.js';
import { renderReview } from '../render/render-review.js';
import { alignChecklist } from '../review/align-checklist.js';
import { anchorFindings } from '../review/anchor-findings.js';
import { buildPrompt } from '../review/build-prompt.js';
import type { PathInstruction } from '../review/build-prompt.js';
import { decideConclusion } from '../review/decide-conclusion.js';
import { validateFindings } from '../review/findings-schema.js';
import { fingerprint } from '../review/fingerprint.js';
import { lineText } from '../review/line-text.js';
import { applyThreshold, capComments, dedupeFindings, rankFindings } from '../review/rank-findings.js';
import { selectFiles } from '../review/select-files.js';
import type { AnchoredFinding, DiffFile, ReviewResult } from '../review/types.js';
import type { AgentProvider } from './agent-provider.js';

export interface ReviewRunnerDeps {
  hostFor: (installationId: number) => Promise<PullRequestHost>;
  model: ReviewModel;
  agents: AgentProvider;
  settings: { checkName: string; maxFiles: number; maxOutputTokens: number };
  clock: Clock;
  log: Logger;
}

const RETRY_HINT = 'Comment `/review` on the pull request, or use **Re-run** on this check, to try again.';

/** One job = one review of one head sha. The only place that orders I/O; everything it decides is pure. */
export function createReviewRunner(deps: ReviewRunnerDeps): JobHandler {
  return async (queued, control) => {
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
    const existing = (await host.listCheckRuns(ref, job.headSha, deps.settings.checkName)).find((run) => run.externalId === jobId);
    if (existing?.status === 'completed') {
      log.info({ checkRunId: existing.id }, 'run already completed; nothing to do');
      return;
    }
    const started = deps.clock.now();
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
    log.info({ checkRunId, trigger: job.trigger, resumed: existing !== undefined }, 'review started');

    const complete = (conclusion: 'success' | 'neutral' | 'failure' | 'skipped', output: CheckOutput) =>
      host.completeCheckRun(ref, checkRunId, { conclusion, output, actions: RE_REVIEW });

    try {
      if (!config.ok) {
        await complete('neutral', configProblemOutput(config.problems));
        log.warn({ problems: config.problems }, 'invalid repo config');
        return;
      }
      const pr = await host.getPullRequest(ref);
      const skip = gate(job, pr, config.config);
      if (skip) {
        await complete('skipped', renderSkippedOutput(skip.reason, skip.detail));
        log.info({ reason: skip.reason }, 'review skipped');
        return;
      }
      await review({ deps, host, ref, job, pr, config: config.config, checkRunId, started, log, control });
    } catch (error) {
      if (isRetryable(error) && control.attempt < control.maxAttempts) {
        log.warn({ err: error, attempt: control.attempt, maxAttempts: control.maxAttempts }, 'review failed; will retry');
        await host
          .updateCheckRun(ref, checkRunId, { title: 'Review in progress', summary: `A temporary failure interrupted the review (${describeFailure(error).message}); retrying.` })
          .catch(() => undefined);
        throw new RetryLaterError('retryable failure', { cause: error });
      }
      await completeAfterFailure(error, complete, log);
    }
  };
}

/** The re-review button shown on a completed check (https://docs.github.com/en/rest/checks/runs#check-runs-and-requested-actions). */
const RE_REVIEW = [{ label: 'Re-review', description: 'Review this commit again', identifier: RE_REVIEW_ACTION }];

/**
 * A command job learns its head sha only now, after the commenter's permission is checked (no model call,
 * no check run and at most one reply for anyone else).
 */
async function resolveJob(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<ReviewJob | undefined> {
  if (!job.command) return job;
  if (!(await handleCommand(host, ref, job, log))) return undefined;
  const pr = await host.getPullRequest(ref);
  return { ...job, headSha: pr.headSha };
}

function isRetryable(error: unknown): boolean {
  return error instanceof ServiceError && error.retryable;
}

interface ReviewInput {
  deps: ReviewRunnerDeps;
  host: PullRequestHost;
  ref: PullRequestRef;
  job: ReviewJob;
  pr: PullRequestInfo;
  config: RepoConfig;
  checkRunId: number;
  started: number;
  log: Logger;
  control: JobControl;
}

async function review({ deps, host, ref, job, pr, config, checkRunId, started, log, control }: ReviewInput): Promise<void> {
  const files = await host.listFiles(ref);
  const selection = selectFiles(files, { include: config.paths.include, exclude: config.paths.exclude, maxFiles: deps.settings.maxFiles });
  const reviewed = selection.files.map((file) => file.path);
  if (selection.files.length === 0) {
    const output = renderSkippedOutput('No reviewable files', skippedDetail(selection.skipped.length));
    await host.completeCheckRun(ref, checkRunId, { conclusion: 'skipped', output });
    log.info({ skipped: selection.skipped.length }, 'nothing to review');
    return;
  }

  const agent = await deps.agents({ host, ref, pr, config });
  const prompt = buildPrompt(agent.agent, pr, selection.files, pathInstructions(config));
  const answer = await deps.model.review({ model: agent.model, system: prompt.system, user: prompt.user, maxOutputTokens: deps.settings.maxOutputTokens });

  const result = decide(answer, selection.files, config, {
    checklist: agent.agent.checklist,
    headSha: job.headSha,
    reviewed,
    skipped: selection.skipped,
    agent: { name: agent.agent.name, source: agent.source },
  });
  const all = [...result.inline, ...result.overflow, ...result.unanchored];
  const conclusion = decideConclusion(all, { blocking: config.check.blocking, failOn: config.check.fail_on });
  const fingerprints = fingerprintsOf([...result.inline, ...result.overflow], selection.files);

  if (all.length > 0) {
    const event = config.check.request_changes && conclusion === 'failure' ? 'REQUEST_CHANGES' : 'COMMENT';
    await postReview(host, ref, result, fingerprints, event, log);
  }

  const ledger = renderLedger({
    model: answer.model || agent.model,
    usage: answer.usage,
    filesReviewed: reviewed.length,
    filesSkipped: selection.skipped.length,
    durationMs: deps.clock.now() - started,
  });
  const output = renderCheckOutput(result, conclusion, { durationMs: deps.clock.now() - started, ledger: [ledger, ...agent.notes.map((note) => `> ${note}`)].join('\n\n') });
  await publishCheck(host, ref, checkRunId, conclusion, output);
  log.info(
    { conclusion, inline: result.inline.length, overflow: result.overflow.length, unanchored: result.unanchored.length, invalid: result.invalidFindings, usage: answer.usage },
    'review completed',
  );
}

function decide(
  answer: ModelReview,
  files: DiffFile[],
  config: RepoConfig,
  meta: { checklist: { id: string; title: string }[]; headSha: string; reviewed: string[]; skipped: ReviewResult['skipped']; agent: ReviewResult['agent'] },
): ReviewResult {
  const { findings, invalid } = validateFindings(answer.findings);
  const ranked = rankFindings(dedupeFindings(findings, (finding) => lineText(files, finding.path, finding.line, finding.side ?? 'RIGHT')));
  const { kept, below } = applyThreshold(ranked, config.review.min_severity);
  const { anchored, unanchored } = anchorFindings(kept, files);
  const { inline, overflow } = capComments(anchored, config.review.max_comments);
  return {
    headSha: meta.headSha,
    summary: answer.summary,
    checklist: alignChecklist(meta.checklist, answer.checklist),
    inline,
    overflow,
    unanchored,
    belowThreshold: below,
    invalidFindings: invalid,
    reviewedFiles: meta.reviewed,
    skipped: meta.skipped,
    agent: meta.agent,
    model: answer.model,
  };
}

function fingerprintsOf(findings: AnchoredFinding[], files: DiffFile[]): Map<AnchoredFinding, string> {
  return new Map(findings.map((finding) => [finding, fingerprint(finding, lineText(files, finding.path, finding.line, finding.side))]));
}

/**
 * One review per run. Anchors were validated, but GitHub's 422 does not say which comment it disliked: if it
 * still answers 422, post the same findings once more with none inline, so nothing is lost.
 */
async function postReview(
  host: PullRequestHost,
  ref: PullRequestRef,
  result: ReviewResult,
  fingerprints: Map<AnchoredFinding, string>,
  event: 'COMMENT' | 'REQUEST_CHANGES',
  log: Logger,
): Promise<void> {
  const rendered = renderReview(result, { fingerprints });
  try {
    await host.createReview(ref, { commitId: rendered.commit_id, body: rendered.body, event, comments: rendered.comments });
  } catch (error) {
    if (!(error instanceof ServiceError) || error.status !== 422 || rendered.comments.length === 0) throw error;
    log.warn({ comments: rendered.comments.length }, 'review rejected with 422; posting findings in the body');
    const flat = renderReview({ ...result, inline: [], overflow: [...result.inline, ...result.overflow] }, { fingerprints });
    await host.createReview(ref, { commitId: flat.commit_id, body: flat.body, event, comments: [] });
  }
}

/** GitHub takes at most 50 annotations per request; further updates append (https://docs.github.com/en/rest/checks/runs#update-a-check-run). */
async function publishCheck(
  host: PullRequestHost,
  ref: PullRequestRef,
  checkRunId: number,
  conclusion: 'success' | 'neutral' | 'failure',
  output: ReturnType<typeof renderCheckOutput>,
): Promise<void> {
  const batches = batchAnnotations(output.annotations);
  const base = { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) };
  try {
    for (const batch of batches.slice(0, -1)) {
      await host.updateCheckRun(ref, checkRunId, { ...base, annotations: batch });
    }
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: { ...base, annotations: batches.at(-1) ?? [] }, actions: RE_REVIEW });
  } catch (error) {
    // A rejected annotation must not leave the check in progress: complete it without them; the review has them all.
    if (!(error instanceof ServiceError) || error.status !== 422) throw error;
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: base, actions: RE_REVIEW });
  }
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
  return undefined;
}

function pathInstructions(config: RepoConfig): PathInstruction[] {
  return config.instructions.map((instruction) => ({ ...instruction, matches: picomatch(instruction.path, { dot: true }) }));
}

function skippedDetail(count: number): string {
  return count === 0
    ? 'The pull request changes no files.'
    : `All ${count} changed files were skipped (removed, binary, generated, vendored, lock files or excluded by config).`;
}
