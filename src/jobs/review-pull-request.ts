import type { RepoConfig } from '../config/repo-config.js';
import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { createModelTools } from '../context/model-tools.js';
import { startWidening } from '../context/widen-from-head.js';
import { assembleReview } from '../review/assemble-review.js';
import { planWithCounting, toolTurnTokens } from '../review/calibrate-plan.js';
import { priorReviewsOf } from '../review/published-by-run.js';
import type { ReviewOutcome } from '../review/review-outcome.js';
import { selectFilesInSlices } from '../review/select-files.js';
import { nothingSelectedOutcome } from '../review/unreviewed-files.js';
import { settleAnswers } from '../review/settle-answers.js';
import { scanSecrets } from '../secrets/scan-secrets.js';
import { answerChunks } from './answer-chunks.js';
import { spendLimitReached } from './daily-budget.js';
import { withVerification } from '../review/tally-verification.js';
import { applyLearning, withLearning } from '../learning/applied-learning.js';
import { verifyForPipeline } from './verify-findings-step.js';
import { publishReview } from './publish.js';
import { findReviewScope } from './review-scope.js';

/** One review's I/O and facts; `resumed`: the check run was created by an earlier attempt of this run (a retry, or a worker that died). */
export interface PipelineInput {
  deps: PipelineDeps; host: PullRequestHost; ref: PullRequestRef; job: ReviewJob; pr: PullRequestInfo; config: RepoConfig; started: number; log: Logger; control: JobControl; resumed?: boolean;
}

/** Files parsed between two turns of the event loop (~5 ms of work). */
const SELECT_SLICE = 100;

/**
 * list → scope → select → budget → redact → plan → review chunks in parallel → merge → anchor → dedupe against
 * earlier runs → publish the review. Returns how the run ended; it completes no check run (the runner does, with
 * jobs/complete-check.ts), and throws only what the runner turns into a retry or a `failed` outcome.
 */
export async function reviewPullRequest(input: PipelineInput): Promise<ReviewOutcome> {
  const { deps, host, ref, job, pr, config, log } = input;
  const { listed, earlierReviews, postedByThisRun, priorReviews, scope, selection } = await collect(input);
  if (selection === undefined) return { kind: 'skipped', why: { kind: 'unchanged', basis: scope.basis } };
  if (selection.files.length === 0) {
    log.info({ skipped: selection.skipped.length }, 'nothing to review');
    return nothingSelectedOutcome(selection.skipped, config.check.blocking);
  }
  const limit = await spendLimitReached(deps, job, scope);
  if (limit) {
    log.warn({ installation: job.installationId, limit: limit.kind }, 'daily limit reached');
    return { kind: 'over-budget', limit };
  }

  // Our earlier review threads (to not repeat their findings, and to resolve the stale ones) are read while the
  // model works; a failure is thrown where they are used.
  const threadsLoading = priorReviews.length > 0 && !postedByThisRun ? host.listOwnReviewThreads(ref) : Promise.resolve([]);
  threadsLoading.catch(() => undefined);
  // The agent is read from the base branch (GitHub requests) while the secrets scan keeps the CPU busy. Its
  // failure is observed now, so it is not reported as unhandled while the scan runs, and thrown below as before.
  const agentLoading = deps.agents({ host, ref, pr, config });
  agentLoading.catch(() => undefined);
  // So are the head files each hunk is widened from, up to its enclosing function (a failure widens nothing).
  const widen = startWidening(selection.files, (path) => host.readFile(ref, path, job.headSha), config.paths.exclude, (error) => log.warn({ err: error }, 'could not read the head files to widen the hunks; they are sent as GitHub gives them'));
  // Secrets are masked before anything leaves; the model sees placeholders, the review reports them.
  const redacted = await scanSecrets({ files: selection.files, title: pr.title, body: pr.body });
  const agent = await agentLoading;
  const counter = deps.model.countTokens?.bind(deps.model);
  const budgetTokens = Math.min(config.budget.max_input_tokens, deps.settings.maxInputTokens);
  const { plan, note: countNote } = await planWithCounting(
    await widen(redacted.files),
    { budgetTokens, chunkTokens: deps.settings.chunkTokens },
    counter && ((text) => counter({ model: agent.model, text })),
    (error) => log.warn({ err: error }, 'could not count tokens exactly; the plan stays as estimated'),
  );
  const turnTokens = toolTurnTokens(budgetTokens, plan);
  // The job's repository tools: one worker for the chunks and the verification pass (the same cached prefix),
  // ended once both are done, whichever way they end.
  const download = () => host.downloadTarball(ref, job.headSha, deps.settings.tools.snapshotMaxCompressedBytes);
  const context = createModelTools(turnTokens > 0 ? agent.tools : [], download, deps.settings.tools, config.paths.exclude);
  const looked = await (async () => {
    try {
      const chunkAnswers = await answerChunks(input, agent, plan.chunks, { title: redacted.title, body: redacted.body }, turnTokens, context);
      const { merged: mergedAnswers, invalid, written: masked } = await settleAnswers(chunkAnswers.answers);
      // A second look before anything is decided or posted (rule ids checked, low verification scores left out).
      const tools = context.tools && { ...context.tools, maxTurnInputTokens: turnTokens };
      // Then what the team rejected before is left out (src/learning; the check run lists it).
      const checked = applyLearning(await verifyForPipeline({ deps, job, config, agent, files: plan.chunks.flat(), findings: masked.findings, tools, log }), agent.learning, selection.files);
      return { answered: { ...chunkAnswers, contextTooLarge: context.contextTooLarge(), toolSecretsMasked: context.secretsMasked() }, merged: mergedAnswers, invalid, written: masked, verified: checked };
    } finally {
      await context.close();
    }
  })();
  const { answered, merged, invalid, written, verified } = looked;
  const threads = await threadsLoading;
  const durationMs = deps.clock.now() - input.started;
  const { snapshotMaxCompressedBytes } = deps.settings.tools;
  const secrets = { findings: redacted.findings, count: redacted.count };
  const facts = { headSha: job.headSha, config, scope: scope.basis, changedFiles: pr.changedFiles, listed, selection, plan, countNote, answered, merged, written: { ...written, findings: verified.findings }, invalid, secrets };
  const assembled = assembleReview({ ...facts, agent, threads, durationMs, prices: deps.settings.prices, snapshotMaxCompressedBytes });
  const { fingerprints, stale } = assembled;
  const outcome = withLearning(withVerification(assembled.outcome, verified), verified);
  if (!job.command && (await input.control.isSuperseded())) {
    log.info({}, 'superseded before publishing');
    return { kind: 'skipped', why: { kind: 'superseded' } };
  }
  const { result, conclusion, partial } = outcome;
  await publishReview({ host, ref, job, result, conclusion, partial, fingerprints, earlierReviews, requestChanges: config.check.request_changes, log });
  for (const thread of stale) {
    // The review is published; a thread left open is cosmetic, so a failure to resolve one is logged, not fatal.
    await host.resolveReviewThread(ref, thread.id).catch((error: unknown) => log.warn({ err: error, thread: thread.id }, 'could not resolve a stale review thread'));
  }
  log.info({ conclusion, inline: result.inline.length, unanchored: result.unanchored.length, invalid, chunks: plan.chunks.length, usage: merged.usage, mode: scope.mode }, 'review published');
  return outcome;
}

/**
 * list → earlier reviews → scope → select. The listing itself stays in here: once its files are selected and
 * parsed, only the parsed files go on, and the listing (with the patches of the files skipped) can be let go.
 */
async function collect({ deps, host, ref, job, config, resumed }: PipelineInput) {
  // Two reads that do not depend on each other: one round trip, not two.
  const [files, earlierReviews] = await Promise.all([host.listFiles(ref), host.listOwnReviews(ref)]);
  const { postedByThisRun, priorReviews } = priorReviewsOf(earlierReviews, job, resumed === true);
  const scope = await findReviewScope(host, ref, job, files, priorReviews);
  const collected = { listed: files.length, earlierReviews, postedByThisRun, priorReviews, scope };
  if (scope.mode === 'unchanged') return { ...collected, selection: undefined };
  const selection = await selectFilesInSlices(
    files.filter((file) => scope.paths === undefined || scope.paths.has(file.path)),
    { include: config.paths.include, exclude: config.paths.exclude, maxFiles: deps.settings.maxFiles },
    { sliceSize: SELECT_SLICE, pause: () => new Promise<void>((resolve) => setImmediate(resolve)) },
  );
  return { ...collected, selection };
}
