import type { RepoConfig } from '../config/repo-config.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { ReviewThread } from '../ports/pull-request-host.js';
import type { ModelUsage } from '../ports/review-model.js';
import { alignChecklist } from './align-checklist.js';
import { decideConclusion } from './decide-conclusion.js';
import { decideFindings } from './decide-findings.js';
import { estimateTotalCost } from './estimate-cost.js';
import type { PriceTable } from './estimate-cost.js';
import type { ChunkPlan } from './plan-chunks.js';
import type { ReviewOutcome } from './review-outcome.js';
import type { ScopeBasis } from './review-scope.js';
import type { SelectedFiles } from './select-files.js';
import type { AnchoredFinding, ChecklistEntry, Finding, ReviewResult, SkippedFile } from './types.js';
import { unreviewedFiles } from './unreviewed-files.js';
import { buildWalkthrough } from './walkthrough.js';
import type { WalkthroughNote } from './walkthrough.js';

export interface AssembleInput {
  headSha: string;
  config: Pick<RepoConfig, 'review' | 'check' | '_extends'>;
  scope: ScopeBasis;
  /** Files the pull request changes (GitHub's count) and how many GitHub listed (at most 3,000). */
  changedFiles: number;
  listed: number;
  selection: SelectedFiles;
  plan: ChunkPlan;
  countNote: string | undefined;
  /** What the model calls came to (jobs/answer-chunks.ts). */
  answered: { answers: { usage: ModelUsage }[]; failed: number[]; errors: string[]; kept: number; asked: number; contextTooLarge: boolean; toolSecretsMasked: number };
  merged: { model: string; usage: ModelUsage };
  /** What the model wrote, masked again, and the findings that passed the schema (`invalid`: those that did not). */
  written: { summary: string; checklist: ChecklistEntry[]; findings: Finding[]; walkthrough?: WalkthroughNote[] | undefined };
  invalid: number;
  /** Secrets found in the diff: reported as findings, counted in the notes. */
  secrets: { findings: Finding[]; count: number };
  agent: AgentChoice;
  threads: ReviewThread[];
  durationMs: number;
  prices: PriceTable;
  snapshotMaxCompressedBytes: number;
}

export interface AssembledReview {
  outcome: Extract<ReviewOutcome, { kind: 'reviewed' }>;
  fingerprints: Map<AnchoredFinding, string>;
  /** Threads of ours whose finding is gone: resolved once the review is published. */
  stale: ReviewThread[];
}

/** What the review says, from the chunks' answers: what was reviewed, the findings decided, the conclusion, the ledger. */
export function assembleReview(input: AssembleInput): AssembledReview {
  const { plan, answered, config } = input;
  const failedFiles: SkippedFile[] = answered.failed.flatMap((index) => (plan.chunks[index] ?? []).map((file) => ({ path: file.path, reason: 'review-failed' as const })));
  // Sets, not array scans: with 3,000 files the scans were 9 million comparisons.
  const failedPaths = new Set(failedFiles.map((failed) => failed.path));
  const reviewedPaths = plan.chunks.flat().map((file) => file.path).filter((path) => !failedPaths.has(path));
  const reviewedSet = new Set(reviewedPaths);
  const reviewedFiles = input.selection.files.filter((file) => reviewedSet.has(file.path));
  // Anchored against GitHub's diff; the prompt copies tell a finding on widened context from one on no line at all.
  const decided = decideFindings([...input.secrets.findings, ...input.written.findings], reviewedFiles, config, input.threads, plan.chunks.flat());
  const model = input.merged.model || input.agent.model;
  const result: ReviewResult = {
    headSha: input.headSha,
    summary: input.written.summary,
    checklist: alignChecklist(input.agent.agent.checklist, input.written.checklist),
    inline: decided.inline,
    overflow: decided.overflow,
    unanchored: decided.unanchored,
    belowThreshold: decided.below,
    invalidFindings: input.invalid,
    reviewedFiles: reviewedPaths,
    skipped: [...input.selection.skipped, ...plan.skipped, ...failedFiles],
    agent: { name: input.agent.agent.name, source: input.agent.source },
    model,
    ...(config.review.walkthrough ? { walkthrough: walkthroughOf(input, reviewedFiles) } : {}),
  };
  // GitHub lists at most 3,000 files of a pull request (listFiles stops there): what was never seen.
  const unlisted = Math.max(0, input.changedFiles - input.listed);
  // Files left out (budget, file limit, failed calls, no usable diff) or never listed: the check must not pass.
  const partial = unreviewedFiles(result.skipped).length > 0 || unlisted > 0;
  const { blocking, fail_on: failOn } = config.check;
  const conclusion = decideConclusion([...result.inline, ...result.overflow, ...result.unanchored, ...decided.repeated], { blocking, failOn, partial });
  const usd = estimateTotalCost(answered.answers.map((answer) => answer.usage), model, input.prices).usd;
  const { durationMs } = input;
  const outcome: AssembledReview['outcome'] = {
    kind: 'reviewed',
    result,
    conclusion,
    partial,
    unlisted,
    durationMs,
    ledger: { model, usage: input.merged.usage, filesReviewed: reviewedPaths.length, filesSkipped: result.skipped.length, durationMs, chunks: plan.chunks.length, usd, toolSecretsMasked: answered.toolSecretsMasked },
    notes: {
      scope: input.scope,
      changedFiles: input.changedFiles,
      listed: input.listed,
      failedFiles: failedFiles.length,
      firstError: answered.errors[0],
      countNote: input.countNote,
      kept: answered.kept,
      asked: answered.asked,
      contextTooLargeBytes: answered.contextTooLarge ? input.snapshotMaxCompressedBytes : undefined,
      clipped: plan.clipped,
      repeats: decided.repeats,
      resolved: decided.stale.length,
      secretsMasked: input.secrets.count,
      agent: input.agent.notes,
      unreadExtends: config._extends,
    },
  };
  return { outcome, fingerprints: decided.fingerprints, stale: decided.stale };
}

/** The run's walkthrough: the files it reviewed with the model's notes; an incremental run updates the earlier one. */
function walkthroughOf(input: AssembleInput, reviewed: readonly { path: string; additions: number; deletions: number }[]) {
  const { headSha: head, changedFiles, written, scope } = input;
  return buildWalkthrough({ head, reviewed, notes: written.walkthrough ?? [], changedFiles, incremental: scope.kind === 'since' });
}
