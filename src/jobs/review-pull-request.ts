import pLimit from 'p-limit';
import picomatch from 'picomatch';
import type { RepoConfig } from '../config/repo-config.js';
import { createToolSandbox } from '../context/tool-sandbox.js';
import type { ToolSandbox } from '../context/tool-sandbox.js';
import { toolDefinitions } from '../context/tools.js';
import type { BudgetStore } from '../ports/budget-store.js';
import type { Clock } from '../ports/clock.js';
import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef, ReviewThread, TarballDownload } from '../ports/pull-request-host.js';
import type { ModelReview, ModelTools, ReviewModel } from '../ports/review-model.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { parseMarkers } from '../render/markers.js';
import { clippedNote } from '../render/clipped-note.js';
import { contextTooLargeNote } from '../render/context-too-large-note.js';
import { renderCheckOutput, renderSkippedOutput, renderUnreadOutput } from '../render/render-check.js';
import { renderLedger } from '../render/render-ledger.js';
import { alignChecklist } from '../review/align-checklist.js';
import { anchorFindings } from '../review/anchor-findings.js';
import { buildSystem, buildUser } from '../review/build-prompt.js';
import { planWithCounting } from '../review/calibrate-plan.js';
import type { PathInstruction } from '../review/build-prompt.js';
import { decideConclusion } from '../review/decide-conclusion.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import type { PriceTable } from '../review/estimate-cost.js';
import { validateFindings } from '../review/findings-schema.js';
import { fingerprint } from '../review/fingerprint.js';
import { lineText } from '../review/line-text.js';
import { mergeChunkReviews } from '../review/merge-chunk-reviews.js';
import { applyThreshold, capComments, dedupeFindings, rankFindings } from '../review/rank-findings.js';
import { selectFilesInSlices } from '../review/select-files.js';
import { unreviewedFiles } from '../review/unreviewed-files.js';
import type { SelectedFiles } from '../review/select-files.js';
import type { AnchoredFinding, DiffFile, Finding, ReviewResult, SkippedFile } from '../review/types.js';
import { maskModelText } from '../secrets/mask-model-text.js';
import { scanSecrets } from '../secrets/scan-secrets.js';
import type { AgentChoice, AgentProvider } from '../ports/agent-provider.js';
import { failedChunks, planKey, readCheckpoint, retryableChunks, toCheckpoint } from './chunk-checkpoint.js';
import type { ChunkOutcome } from './chunk-checkpoint.js';
import { completeOverBudget, recordSpend, spendLimitReached, spentOf } from './daily-budget.js';
import { publishReview } from './publish.js';
import { findReviewScope } from './review-scope.js';
import type { ReviewScope } from './review-scope.js';

export interface PipelineSettings {
  checkName: string;
  maxFiles: number;
  maxOutputTokens: number;
  chunkTokens: number;
  modelConcurrency: number;
  maxInputTokens: number;
  prices: PriceTable;
  dailyBudget: { tokens: number | undefined; usd: number | undefined; autoReviewsPerPullRequest?: number | undefined };
  tools: { maxTurns: number; maxInputTokens: number; snapshotMaxBytes: number; snapshotMaxCompressedBytes: number; callTimeoutMs: number };
  /** The queue's backoff before the first retry (doubling after), to say when a retry will run. */
  retryBackoffMs?: number;
}

export interface PipelineDeps {
  model: ReviewModel;
  agents: AgentProvider;
  settings: PipelineSettings;
  clock: Clock;
  budget: BudgetStore | undefined;
  /** Observes what each review consumed (metrics). */
  onUsage?: ((usage: { model: string; inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; usd: number | undefined }) => void) | undefined;
}

export interface PipelineInput {
  deps: PipelineDeps;
  host: PullRequestHost;
  ref: PullRequestRef;
  job: ReviewJob;
  pr: PullRequestInfo;
  config: RepoConfig;
  checkRunId: number;
  started: number;
  log: Logger;
  control: JobControl;
  /** The check run was created by an earlier attempt of this run (a retry, or a worker that died). */
  resumed?: boolean;
  complete: (conclusion: 'success' | 'neutral' | 'failure' | 'skipped', output: { title: string; summary: string }) => Promise<void>;
}

/**
 * collect → scope → select → redact → plan → review chunks in parallel → merge → anchor → dedupe against earlier
 * runs → publish. Every exit completes the check run.
 */
export async function reviewPullRequest(input: PipelineInput): Promise<void> {
  const { deps, host, ref, job, pr, config, log } = input;
  const { listed, earlierReviews, postedByThisRun, priorReviews, scope, selection } = await collect(input);
  if (selection === undefined) {
    await input.complete('skipped', renderSkippedOutput('No changes since the last review', scope.note ?? ''));
    return;
  }
  if (selection.files.length === 0 && unreviewedFiles(selection.skipped).length > 0) {
    // Changed code that could not be read is not "nothing to review": a skipped check would pass.
    await input.complete(config.check.blocking ? 'failure' : 'neutral', renderUnreadOutput(selection.skipped));
    log.info({ skipped: selection.skipped.length }, 'no file could be read');
    return;
  }
  if (selection.files.length === 0) {
    await input.complete('skipped', renderSkippedOutput('No reviewable files', skippedDetail(selection.skipped)));
    log.info({ skipped: selection.skipped.length }, 'nothing to review');
    return;
  }

  const limit = await spendLimitReached(deps, job, scope);
  if (limit) {
    await completeOverBudget(input, limit);
    return;
  }

  // Our earlier review threads (to not repeat their findings, and to resolve the stale ones) are read while the
  // model works; a failure is thrown where they are used.
  const threadsLoading = priorReviews.length > 0 && !postedByThisRun ? host.listOwnReviewThreads(ref) : Promise.resolve([]);
  threadsLoading.catch(() => undefined);
  // The agent is read from the base branch (GitHub requests) while the secrets scan keeps the CPU busy. Its
  // failure is observed now, so it is not reported as unhandled while the scan runs, and thrown below as before.
  const agentLoading = deps.agents({ host, ref, pr, config });
  agentLoading.catch(() => undefined);
  // Secrets are masked before anything leaves; the model sees placeholders, the review reports them.
  const redacted = await scanSecrets({ files: selection.files, title: pr.title, body: pr.body });
  const agent = await agentLoading;
  const counter = deps.model.countTokens?.bind(deps.model);
  const budgetTokens = Math.min(config.budget.max_input_tokens, deps.settings.maxInputTokens);
  const { plan, note: countNote } = await planWithCounting(
    redacted.files,
    { budgetTokens, chunkTokens: deps.settings.chunkTokens },
    counter && ((text) => counter({ model: agent.model, text })),
    (error) => log.warn({ err: error }, 'could not count tokens exactly; the plan stays as estimated'),
  );

  // Tool turns spend the review's budget too (budget.max_input_tokens): what the planned diff leaves, shared by the chunks.
  const turnTokens = Math.floor(Math.max(0, budgetTokens - plan.estimatedTokens) / Math.max(1, plan.chunks.length));
  const answered = await answerChunks(input, agent, plan.chunks, { title: redacted.title, body: redacted.body }, turnTokens);
  const merged = mergeChunkReviews(answered.answers);
  const failedFiles: SkippedFile[] = answered.failed.flatMap((index) => (plan.chunks[index] ?? []).map((file) => ({ path: file.path, reason: 'review-failed' as const })));
  const usd = estimateTotalCost(answered.answers.map((answer) => answer.usage), merged.model || agent.model, deps.settings.prices).usd;

  // Sets, not array scans: with 3,000 files the scans were 9 million comparisons.
  const failedPaths = new Set(failedFiles.map((failed) => failed.path));
  const reviewedPaths = plan.chunks.flat().map((file) => file.path).filter((path) => !failedPaths.has(path));
  const reviewedSet = new Set(reviewedPaths);
  const reviewedFiles = selection.files.filter((file) => reviewedSet.has(file.path));
  const { findings: modelFindings, invalid } = validateFindings(merged.findings);
  // Defence in depth (SECURITY.md): what the model wrote is masked again before anything is rendered or posted.
  const written = await maskModelText({ summary: merged.summary, checklist: merged.checklist, findings: modelFindings });
  const found = [...redacted.findings, ...written.findings];
  const threads = await threadsLoading;
  const decided = decide(found, reviewedFiles, config, threads);

  const result: ReviewResult = {
    headSha: job.headSha,
    summary: written.summary,
    checklist: alignChecklist(agent.agent.checklist, written.checklist),
    inline: decided.inline,
    overflow: decided.overflow,
    unanchored: decided.unanchored,
    belowThreshold: decided.below,
    invalidFindings: invalid,
    reviewedFiles: reviewedPaths,
    skipped: [...selection.skipped, ...plan.skipped, ...failedFiles],
    agent: { name: agent.agent.name, source: agent.source },
    model: merged.model || agent.model,
  };

  if (!job.command && (await input.control.isSuperseded())) {
    await input.complete('skipped', renderSkippedOutput('Superseded by a newer push', 'A newer commit of this pull request was pushed while this one was being reviewed; its review replaces this one.'));
    log.info({}, 'superseded before publishing');
    return;
  }

  // GitHub lists at most 3,000 files of a pull request (listFiles stops there): say what was never seen.
  const unlisted = Math.max(0, pr.changedFiles - listed);
  // Files left out (budget, file limit, failed calls, no usable diff) or never listed: the check must not pass.
  const partial = unreviewedFiles(result.skipped).length > 0 || unlisted > 0;
  const conclusion = decideConclusion([...result.inline, ...result.overflow, ...result.unanchored], { blocking: config.check.blocking, failOn: config.check.fail_on, partial });
  const notes = [
    scope.note,
    ...(unlisted ? [`Partial review: this pull request changes ${pr.changedFiles} files, but GitHub lists only the first ${listed}; the other ${unlisted} file(s) were not reviewed.`] : []),
    ...(failedFiles.length ? [`Partial review: ${failedFiles.length} file(s) could not be reviewed because a model call failed (${answered.errors[0] ?? 'unknown error'}). Use Re-run to try again.`] : []),
    countNote,
    keptNote(answered),
    answered.contextTooLarge ? contextTooLargeNote(deps.settings.tools.snapshotMaxCompressedBytes) : undefined,
    ...(plan.clipped.length ? [clippedNote(plan.clipped)] : []),
    ...(decided.repeats ? [`${decided.repeats} finding(s) already reported in open review threads were not repeated.`] : []),
    ...(decided.stale.length ? [`Resolved ${decided.stale.length} earlier thread(s) whose finding is gone.`] : []),
    ...(redacted.count ? [`${redacted.count} secret(s) were masked before the diff was sent to the model.`] : []),
    ...agent.notes,
  ].filter((note): note is string => Boolean(note));

  const durationMs = deps.clock.now() - input.started;
  const ledger = renderLedger({
    model: result.model,
    usage: merged.usage,
    filesReviewed: reviewedPaths.length,
    filesSkipped: result.skipped.length,
    durationMs,
    chunks: plan.chunks.length,
    usd,
    toolSecretsMasked: answered.toolSecretsMasked,
  });
  await publishReview({
    host,
    ref,
    job,
    result,
    conclusion,
    fingerprints: decided.fingerprints,
    earlierReviews,
    requestChanges: config.check.request_changes,
    partial,
    checkRunId: input.checkRunId,
    output: renderCheckOutput(result, conclusion, { durationMs, ledger: [ledger, ...notes.map((note) => `> ${note}`)].join('\n\n'), unlisted }),
    log,
  });
  await resolveStaleThreads(host, ref, decided.stale, log);
  log.info(
    { conclusion, inline: result.inline.length, overflow: result.overflow.length, unanchored: result.unanchored.length, invalid, chunks: plan.chunks.length, usage: merged.usage, mode: scope.mode },
    'review completed',
  );
}

/** Files parsed between two turns of the event loop (~5 ms of work). */
const SELECT_SLICE = 100;

interface Collected {
  /** How many files GitHub listed. */
  listed: number;
  earlierReviews: string[];
  postedByThisRun: boolean;
  priorReviews: string[];
  scope: ReviewScope;
  /** The files to review, parsed; undefined when nothing changed since the last review. */
  selection: SelectedFiles | undefined;
}

/**
 * list → earlier reviews → scope → select. The listing itself stays in here: once its files are selected and
 * parsed, only the parsed files go on, and the listing (with the patches of the files skipped) can be let go.
 */
async function collect(input: PipelineInput): Promise<Collected> {
  const { deps, host, ref, job, config } = input;
  // Two reads that do not depend on each other: one round trip, not two.
  const [files, earlierReviews] = await Promise.all([host.listFiles(ref), host.listOwnReviews(ref)]);
  // On a resumed run, a review of this head and run was posted by an earlier attempt of this very run, so it is
  // no earlier review: scoping against it would call the head "unchanged" (a skipped check), and its threads would
  // turn its findings into repeats left out of the conclusion (a green check). publishReview still finds it in
  // `earlierReviews` and does not post again.
  const postedByThisRun = input.resumed === true && earlierReviews.some((body) => isThisRun(body, job));
  const priorReviews = postedByThisRun ? earlierReviews.filter((body) => !isThisRun(body, job)) : earlierReviews;
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

interface Answered {
  /** The answers of the chunks that answered, in plan order. */
  answers: ModelReview[];
  /** Indexes of the chunks whose call failed. */
  failed: number[];
  errors: string[];
  /** Chunks whose answer was kept from an earlier attempt, and chunks asked in this one. */
  kept: number;
  asked: number;
  /** The head archive was over the compressed cap: the tools answered without the repository context. */
  contextTooLarge: boolean;
  /** Secrets masked in the tool results of this attempt's calls. */
  toolSecretsMasked: number;
}

/**
 * The model's answer to each chunk. A retry keeps what the model already answered (the job's checkpoint): all of
 * it after a failure to publish; after calls that failed for a passing reason, the chunks that did answer, and
 * asks again only for those that failed for a passing reason. What is spent is counted once, when spent. Throws
 * when no chunk answered, and when some failed for a passing reason while attempts remain (the job is retried
 * rather than posted partial).
 */
async function answerChunks(input: PipelineInput, agent: AgentChoice, chunks: DiffFile[][], pr: { title: string; body: string }, turnTokens: number): Promise<Answered> {
  const { deps, job, control, log } = input;
  const key = planKey(chunks);
  const saved = readCheckpoint(await control.loadCheckpoint(), job.headSha, key, chunks.length);
  const pending = saved ? retryableChunks(saved) : chunks.map((_, index) => index);
  const { results: calls, contextTooLarge, toolSecretsMasked } = await reviewChunks(input, agent, pending.map((index) => chunks[index] ?? []), pr, turnTokens);
  const outcome: ChunkOutcome = saved
    ? { answers: [...saved.answers], final: [...saved.final], errors: [...saved.errors] }
    : { answers: [], final: [], errors: [] };
  pending.forEach((index, call) => {
    const result = calls[call];
    outcome.answers[index] = result?.answer;
    outcome.errors[index] = result?.failure?.message;
    if (result?.failure !== undefined && !isRetryable(result.failure.reason)) outcome.final.push(index);
  });
  const answers = outcome.answers.filter((answer): answer is ModelReview => answer !== undefined);
  const failures = calls.flatMap((result) => (result.failure ? [result.failure.reason] : []));
  const spent = calls.flatMap((result) => (result.answer ? [result.answer] : []));
  // Saved before anything is thrown: the next attempt keeps the answers and skips what failed for good.
  if (spent.length > 0 || failures.length > 0) await control.saveCheckpoint(toCheckpoint(job.headSha, key, outcome));
  if (answers.length === 0 && chunks.length > 0) {
    const known = outcome.errors.find((error) => error !== undefined);
    throw failures.find(isRetryable) ?? failures[0] ?? new ServiceError('anthropic', known ?? 'No chunk of the review could be answered.', { retryable: false });
  }
  if (spent.length > 0) {
    const merged = mergeChunkReviews(spent);
    const model = merged.model || agent.model;
    const usd = estimateTotalCost(spent.map((answer) => answer.usage), model, deps.settings.prices).usd;
    deps.onUsage?.({ model, ...merged.usage, usd });
    await recordSpend(input, spentOf(merged.usage, usd));
  }

  const passing = failures.find(isRetryable);
  if (passing !== undefined && control.attempt < control.maxAttempts) {
    log.warn({ failed: failures.length, chunks: chunks.length }, 'some chunks failed for a passing reason; retrying them');
    throw passing;
  }
  const kept = saved ? saved.answers.filter((answer) => answer !== undefined).length : 0;
  if (kept > 0) log.info({ kept, asked: pending.length }, 'model answers kept from an earlier attempt');
  const failed = failedChunks(outcome);
  return { answers, failed, errors: failed.flatMap((index) => outcome.errors[index] ?? []), kept, asked: pending.length, contextTooLarge, toolSecretsMasked };
}

function keptNote({ kept, asked }: Answered): string | undefined {
  if (kept === 0) return undefined;
  return asked === 0
    ? 'The model answered an earlier attempt of this run, which could not publish; those answers are published here, without asking the model again. The ledger shows what they cost then.'
    : `${kept} chunk(s) the model answered in an earlier attempt were kept; it was asked again only for the ${asked} whose call had failed.`;
}

interface ChunkResult {
  answer: ModelReview | undefined;
  failure: { reason: unknown; message: string } | undefined;
}

/**
 * Chunks run in parallel under a bound. Nothing is thrown: per chunk, its answer or why its call failed.
 * `turnTokens`: each chunk's share of the review's budget for tool turns; with none left, no tools.
 */
async function reviewChunks(
  input: PipelineInput,
  agent: AgentChoice,
  chunks: DiffFile[][],
  pr: { title: string; body: string },
  turnTokens: number,
): Promise<{ results: ChunkResult[]; contextTooLarge: boolean; toolSecretsMasked: number }> {
  const { deps, host, ref, job, config } = input;
  const limit = pLimit(deps.settings.modelConcurrency);
  const limits = deps.settings.tools;
  const sandbox = turnTokens > 0 ? contextSandbox(agent, () => host.downloadTarball(ref, job.headSha, limits.snapshotMaxCompressedBytes), limits, config.paths.exclude) : undefined;
  const masked = { count: 0 };
  const tools = sandbox && modelTools(agent, sandbox, limits, masked);
  const instructions = pathInstructions(config);
  // buildPrompt's two halves: the system prompt is the same for every chunk, so it is built once; each chunk's
  // user turn (~200 KB on a big PR) only when its call starts, and let go when it returns.
  const system = buildSystem(agent.agent);
  const settled = await Promise.allSettled(
    chunks.map((chunk) =>
      limit(() =>
        deps.model.review({ model: agent.model, system, user: buildUser(pr, chunk, instructions), maxOutputTokens: deps.settings.maxOutputTokens, ...(tools ? { tools: { ...tools, maxTurnInputTokens: turnTokens } } : {}) }),
      ),
    ),
  );
  // The job's tool worker ends with its model calls (allSettled never throws, so this always runs).
  await sandbox?.close();
  const results = settled.map((result) =>
    result.status === 'fulfilled'
      ? { answer: result.value, failure: undefined }
      : { answer: undefined, failure: { reason: result.reason as unknown, message: result.reason instanceof Error ? result.reason.message : String(result.reason) } },
  );
  return { results, contextTooLarge: sandbox?.contextTooLarge() ?? false, toolSecretsMasked: masked.count };
}

/**
 * Read, Grep and Glob when the agent lists them: one head snapshot per job, downloaded on first use under the
 * compressed cap, built and searched in the job's worker thread, each call under the deadline (tool-sandbox.ts).
 * Files the repository excludes from review are not readable through them either.
 */
function contextSandbox(agent: AgentChoice, download: () => Promise<TarballDownload>, limits: PipelineSettings['tools'], exclude: string[]): ToolSandbox | undefined {
  if (agent.tools.length === 0) return undefined;
  return createToolSandbox({
    download,
    honoured: agent.tools,
    callTimeoutMs: limits.callTimeoutMs,
    snapshotLimits: { maxBytes: limits.snapshotMaxBytes },
    // Grep's own time budget (it stops with partial results and a note) well inside the hard deadline.
    toolOptions: { exclude, grepTimeBudgetMs: Math.max(50, Math.floor(limits.callTimeoutMs / 4)) },
  });
}

/** `masked` adds up the secrets masked in the tool results, for the ledger. */
function modelTools(agent: AgentChoice, sandbox: ToolSandbox, limits: PipelineSettings['tools'], masked: { count: number }): ModelTools {
  return {
    definitions: toolDefinitions(agent.tools),
    execute: async (name, input) => {
      const result = await sandbox.execute(name, input);
      masked.count += result.masked ?? 0;
      return result;
    },
    maxTurns: limits.maxTurns,
    maxInputTokens: limits.maxInputTokens,
  };
}

interface Decided {
  inline: AnchoredFinding[];
  overflow: AnchoredFinding[];
  unanchored: ReviewResult['unanchored'];
  below: number;
  repeats: number;
  fingerprints: Map<AnchoredFinding, string>;
  stale: ReviewThread[];
}

/**
 * Threshold, anchor against the PR's own base...head diff, drop what open threads already say, cap. A thread of
 * ours on a reviewed file whose line changed and whose finding is gone is stale: it gets resolved.
 */
function decide(found: Finding[], files: DiffFile[], config: RepoConfig, threads: ReviewThread[]): Decided {
  const textOf = (finding: Finding) => lineText(files, finding.path, finding.line, finding.side ?? 'RIGHT');
  const ranked = rankFindings(dedupeFindings(found, textOf));
  const { kept, below } = applyThreshold(ranked, config.review.min_severity);
  const { anchored, unanchored } = anchorFindings(kept, files);
  const fingerprints = new Map(anchored.map((finding) => [finding, fingerprint(finding, lineText(files, finding.path, finding.line, finding.side))]));
  const open = new Set(threads.filter((thread) => !thread.isResolved).flatMap(threadFingerprints));
  const fresh = anchored.filter((finding) => !open.has(fingerprints.get(finding) ?? ''));
  const current = new Set(fingerprints.values());
  const reviewed = new Set(files.map((file) => file.path));
  const stale = threads.filter(
    (thread) => !thread.isResolved && thread.isOutdated && reviewed.has(thread.path) && !threadFingerprints(thread).some((fp) => current.has(fp)),
  );
  const { inline, overflow } = capComments(fresh, config.review.max_comments);
  return { inline, overflow, unanchored, below, repeats: anchored.length - fresh.length, fingerprints, stale };
}

function isThisRun(body: string, job: ReviewJob): boolean {
  return parseMarkers(body).some((marker) => marker.kind === 'review' && marker.data.head === job.headSha && marker.data.run === job.run);
}

function threadFingerprints(thread: ReviewThread): string[] {
  return parseMarkers(thread.body).flatMap((marker) => (marker.kind === 'finding' ? [marker.data.fp] : []));
}

async function resolveStaleThreads(host: PullRequestHost, ref: PullRequestRef, stale: ReviewThread[], log: Logger): Promise<void> {
  for (const thread of stale) {
    try {
      await host.resolveReviewThread(ref, thread.id);
    } catch (error) {
      // The review is published; a thread left open is cosmetic, so it is logged, not fatal.
      log.warn({ err: error, thread: thread.id }, 'could not resolve a stale review thread');
    }
  }
}

function pathInstructions(config: RepoConfig): PathInstruction[] {
  return config.instructions.map((instruction) => ({ ...instruction, matches: picomatch(instruction.path, { dot: true }) }));
}

function skippedDetail(skipped: SkippedFile[]): string {
  return skipped.length === 0
    ? 'The pull request changes no files.'
    : `All ${skipped.length} changed files were skipped (removed, binary, generated, vendored, lock files or excluded by config).`;
}
