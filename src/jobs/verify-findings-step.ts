import type { RepoConfig } from '../config/repo-config.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { ModelTools, ModelUsage, ReviewModel } from '../ports/review-model.js';
import { buildSystem } from '../review/build-prompt.js';
import { severityAtLeast } from '../review/decide-conclusion.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import { dropUnknownRules, knownRuleIds } from '../review/known-rule-ids.js';
import { sumUsage } from '../review/merge-chunk-reviews.js';
import { spentOf } from '../review/spent-of.js';
import type { Ledger } from '../render/render-ledger.js';
import type { Finding, DiffFile, ReviewResult, VerificationSummary } from '../review/types.js';
import { recordSpend } from './daily-budget.js';
import { applyScores, buildVerificationUser, parseScores, verificationBatches } from '../review/verify-findings.js';

export interface VerifyStepInput {
  model: ReviewModel;
  modelId: string;
  /** The review's system prompt: the cached prefix the chunks wrote. */
  system: string;
  /** The reviewed files, as parsed (the diff around each finding is taken from them). */
  files: DiffFile[];
  /** The model's merged findings; Bulwark's own (secrets) are not sent. */
  findings: Finding[];
  minScore: number;
  maxOutputTokens: number;
  tools?: ModelTools | undefined;
  signal?: AbortSignal | undefined;
}

export interface VerifyStepResult {
  kept: Finding[];
  /** Undefined when there was nothing to verify. */
  summary: VerificationSummary | undefined;
  usage: ModelUsage;
  calls: number;
  model: string;
}

const NO_USAGE: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

/**
 * The verification pass (issue: "every posted finding survives a second look"): the findings in batches, every
 * batch's call at once, so it adds one model round to the review's wall time. A batch whose call fails keeps its
 * findings, posted unverified, and the summary says so: verification never costs the review.
 */
export async function verifyFindingsStep(input: VerifyStepInput): Promise<VerifyStepResult> {
  const { model, findings } = input;
  // A model without the call (a stand-in of the port) posts its findings as they are, like review.verify: false.
  if (findings.length === 0 || model.verify === undefined) return { kept: [...findings], summary: undefined, usage: NO_USAGE, calls: 0, model: input.modelId };
  const verify = model.verify.bind(model);
  const batches = verificationBatches(findings);
  const settled = await Promise.allSettled(
    batches.map((batch) =>
      verify(
        {
          model: input.modelId,
          system: input.system,
          user: buildVerificationUser(batch, input.files, input.minScore),
          maxOutputTokens: input.maxOutputTokens,
          ...(input.tools ? { tools: input.tools } : {}),
        },
        input.signal,
      ),
    ),
  );
  const kept: Finding[] = [];
  const dropped: VerificationSummary['dropped'] = [];
  const usages: ModelUsage[] = [];
  let failed: string | undefined;
  let answeredBy = input.modelId;
  settled.forEach((outcome, index) => {
    const batch = batches[index] ?? [];
    if (outcome.status === 'rejected') {
      failed ??= outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      kept.push(...batch);
      return;
    }
    usages.push(outcome.value.usage);
    answeredBy = outcome.value.model || answeredBy;
    const scored = applyScores(batch, parseScores(outcome.value.output, batch.length), input.minScore);
    kept.push(...scored.kept);
    dropped.push(...scored.dropped);
  });
  return {
    kept,
    summary: { scored: findings.length, minScore: input.minScore, dropped, failed },
    usage: usages.length > 0 ? sumUsage(usages) : NO_USAGE,
    calls: batches.length,
    model: answeredBy,
  };
}

export interface VerifiedFindings {
  /** The model's findings to decide on: rule ids checked, those scored too low left out. */
  findings: Finding[];
  summary: VerificationSummary | undefined;
  /** For the ledger; undefined when no verification call was made. */
  ledger: { usage: ModelUsage; usd: number | undefined; calls: number; scored: number; dropped: number; failed: boolean } | undefined;
}

/**
 * The pipeline's step between the merged answers and the decisions: rule ids checked against the loaded skills,
 * then, when `review.verify` is on, the findings at or above `review.min_severity` (the others are not posted
 * anyway) scored by a second model call. What the calls spend is counted like the chunks' (metrics, daily
 * budget). The review's system prompt is built again (the same text answerChunks sent: the cached prefix).
 */
export async function verifyForPipeline(input: {
  deps: PipelineDeps;
  job: ReviewJob;
  config: RepoConfig;
  agent: AgentChoice;
  files: DiffFile[];
  findings: Finding[];
  log: Logger;
}): Promise<VerifiedFindings> {
  const { deps, job, config, agent, log } = input;
  const ruled = dropUnknownRules(input.findings, knownRuleIds(agent.agent));
  if (ruled.dropped > 0) log.info({ dropped: ruled.dropped }, 'rule ids no loaded skill defines were dropped from findings');
  if (!config.review.verify) return { findings: ruled.findings, summary: undefined, ledger: undefined };
  const scored = ruled.findings.filter((finding) => severityAtLeast(finding.severity, config.review.min_severity));
  const unscored = ruled.findings.filter((finding) => !severityAtLeast(finding.severity, config.review.min_severity));
  const verified = await verifyFindingsStep({
    model: deps.model,
    modelId: agent.model,
    system: buildSystem(agent.agent),
    files: input.files,
    findings: scored,
    minScore: config.review.min_score,
    maxOutputTokens: Math.min(deps.settings.maxOutputTokens, VERIFY_MAX_OUTPUT_TOKENS),
  });
  if (verified.calls === 0 || verified.summary === undefined) return { findings: ruled.findings, summary: undefined, ledger: undefined };
  const usd = estimateTotalCost([verified.usage], verified.model, deps.settings.prices).usd;
  if (verified.usage.inputTokens + verified.usage.outputTokens > 0) {
    deps.onUsage?.({ model: verified.model, ...verified.usage, usd });
    await recordSpend(deps, job, spentOf(verified.usage, usd), log);
  }
  if (verified.summary.failed !== undefined) log.warn({ failure: verified.summary.failed }, 'verification failed; the findings are posted unverified');
  return {
    findings: [...verified.kept, ...unscored],
    summary: verified.summary,
    ledger: { usage: verified.usage, usd, calls: verified.calls, scored: verified.summary.scored, dropped: verified.summary.dropped.length, failed: verified.summary.failed !== undefined },
  };
}

/** The review's result and ledger with what verification did (unchanged when it did not run). */
export function withVerification<T extends { result: ReviewResult; ledger: Ledger }>(outcome: T, verified: VerifiedFindings): T {
  if (verified.summary === undefined) return outcome;
  return { ...outcome, result: { ...outcome.result, verification: verified.summary }, ledger: { ...outcome.ledger, verification: verified.ledger } };
}

/** One line of reason per finding and a number: 15 findings answer in well under this. */
const VERIFY_MAX_OUTPUT_TOKENS = 4_000;
