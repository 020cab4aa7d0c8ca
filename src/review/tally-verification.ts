import type { ModelUsage, ModelVerification } from '../ports/review-model.js';
import type { Ledger } from '../render/render-ledger.js';
import { severityAtLeast } from './decide-conclusion.js';
import { sumUsage } from './merge-chunk-reviews.js';
import type { Finding, ReviewResult, Severity, VerificationSummary } from './types.js';
import { applyScores, parseScores } from './verify-findings.js';

export interface VerificationTally {
  kept: Finding[];
  /** Undefined when there was nothing to verify. */
  summary: VerificationSummary | undefined;
  usage: ModelUsage;
  calls: number;
  model: string;
}

export interface VerifiedFindings {
  /** The model's findings to decide on: rule ids checked, those scored too low left out. */
  findings: Finding[];
  summary: VerificationSummary | undefined;
  /** For the ledger; undefined when no verification call was made. */
  ledger: { usage: ModelUsage; usd: number | undefined; calls: number; scored: number; dropped: number; failed: boolean } | undefined;
}

export const NO_USAGE: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

/**
 * What the verification calls decided, batch by batch: a batch whose call failed keeps its findings (posted
 * unverified, and the summary says so), so verification never costs the review; the others keep what scored at
 * least `minScore`.
 */
export function tallyVerification(
  batches: readonly Finding[][],
  settled: readonly PromiseSettledResult<ModelVerification>[],
  minScore: number,
  modelId: string,
): VerificationTally {
  const kept: Finding[] = [];
  const dropped: VerificationSummary['dropped'] = [];
  const usages: ModelUsage[] = [];
  let failed: string | undefined;
  let answeredBy = modelId;
  settled.forEach((outcome, index) => {
    const batch = batches[index] ?? [];
    if (outcome.status === 'rejected') {
      failed ??= outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      kept.push(...batch);
      return;
    }
    usages.push(outcome.value.usage);
    answeredBy = outcome.value.model || answeredBy;
    const scored = applyScores(batch, parseScores(outcome.value.output, batch.length), minScore);
    kept.push(...scored.kept);
    dropped.push(...scored.dropped);
  });
  const scoredCount = batches.reduce((sum, batch) => sum + batch.length, 0);
  return {
    kept,
    summary: { scored: scoredCount, minScore, dropped, failed },
    usage: usages.length > 0 ? sumUsage(usages) : NO_USAGE,
    calls: batches.length,
    model: answeredBy,
  };
}

/** Findings below `review.min_severity` are not posted anyway, so only the others are worth a verification call. */
export function splitForVerification(findings: readonly Finding[], minSeverity: Severity): { scored: Finding[]; unscored: Finding[] } {
  const scored: Finding[] = [];
  const unscored: Finding[] = [];
  for (const finding of findings) (severityAtLeast(finding.severity, minSeverity) ? scored : unscored).push(finding);
  return { scored, unscored };
}

/** The review's result and ledger with what verification did (unchanged when it did not run). */
export function withVerification<T extends { result: ReviewResult; ledger: Ledger }>(outcome: T, verified: VerifiedFindings): T {
  if (verified.summary === undefined) return outcome;
  return { ...outcome, result: { ...outcome.result, verification: verified.summary }, ledger: { ...outcome.ledger, verification: verified.ledger } };
}
