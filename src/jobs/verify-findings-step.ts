import type { RepoConfig } from '../config/repo-config.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { ModelTools, ReviewModel } from '../ports/review-model.js';
import { buildSystem } from '../review/build-prompt.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import { dropUnknownRules, knownRuleIds } from '../review/known-rule-ids.js';
import { spentOf } from '../review/spent-of.js';
import { NO_USAGE, splitForVerification, tallyVerification } from '../review/tally-verification.js';
import type { VerificationTally, VerifiedFindings } from '../review/tally-verification.js';
import type { DiffFile, Finding } from '../review/types.js';
import { buildVerificationUser, verificationBatches } from '../review/verify-findings.js';
import { recordSpend } from './daily-budget.js';

export interface VerifyStepInput {
  model: ReviewModel;
  modelId: string;
  /** The review's system prompt: the cached prefix the chunks wrote. */
  system: string;
  files: DiffFile[];
  /** The model's merged findings; Bulwark's own (secrets) are not sent. */
  findings: Finding[];
  minScore: number;
  maxOutputTokens: number;
  /** The chunks' repository tools, when the agent has them: the same tools → system prefix, and Read. */
  tools?: ModelTools | undefined;
  signal?: AbortSignal | undefined;
}

/** The verification pass: every batch's call at once, so it adds one model round to the review's wall time. */
export async function verifyFindingsStep(input: VerifyStepInput): Promise<VerificationTally> {
  const { model, findings } = input;
  // A model without the call (a stand-in of the port) posts its findings as they are, like review.verify: false.
  if (findings.length === 0 || model.verify === undefined) return { kept: [...findings], summary: undefined, usage: NO_USAGE, calls: 0, model: input.modelId };
  const verify = model.verify.bind(model);
  const batches = verificationBatches(findings);
  const request = (batch: Finding[]) => ({
    model: input.modelId,
    system: input.system,
    user: buildVerificationUser(batch, input.files, input.minScore),
    maxOutputTokens: input.maxOutputTokens,
    // The chunks' definitions and executor, under a small turn cap: a look at a file or two, then the scores.
    ...(input.tools ? { tools: { ...input.tools, maxTurns: Math.min(input.tools.maxTurns, VERIFY_MAX_TURNS) } } : {}),
  });
  const settled = await Promise.allSettled(batches.map((batch) => verify(request(batch), input.signal)));
  return tallyVerification(batches, settled, input.minScore, input.modelId);
}

/**
 * Between the merged answers and the decisions: rule ids checked against the loaded skills, then (review.verify)
 * the findings scored by a second model call, its spend counted like the chunks' (metrics, daily budget).
 */
export async function verifyForPipeline(input: { deps: PipelineDeps; job: ReviewJob; config: RepoConfig; agent: AgentChoice; files: DiffFile[]; findings: Finding[]; tools?: ModelTools | undefined; log: Logger }): Promise<VerifiedFindings> {
  const { deps, job, config, agent, log } = input;
  const ruled = dropUnknownRules(input.findings, knownRuleIds(agent.agent));
  if (ruled.dropped > 0) log.info({ dropped: ruled.dropped }, 'rule ids no loaded skill defines were dropped from findings');
  if (!config.review.verify) return { findings: ruled.findings, summary: undefined, ledger: undefined };
  const { scored, unscored } = splitForVerification(ruled.findings, config.review.min_severity);
  const verified = await verifyFindingsStep({
    model: deps.model,
    modelId: agent.model,
    system: buildSystem(agent.agent), // the same text the chunks sent: the cached prefix
    files: input.files,
    findings: scored,
    minScore: config.review.min_score,
    maxOutputTokens: Math.min(deps.settings.maxOutputTokens, VERIFY_MAX_OUTPUT_TOKENS),
    tools: input.tools,
  });
  if (verified.calls === 0 || verified.summary === undefined) return { findings: ruled.findings, summary: undefined, ledger: undefined };
  const usd = estimateTotalCost([verified.usage], verified.model, deps.settings.prices).usd;
  if (verified.usage.inputTokens + verified.usage.outputTokens > 0) {
    deps.onUsage?.({ model: verified.model, ...verified.usage, usd });
    await recordSpend(deps, job, spentOf(verified.usage, usd), log);
  }
  if (verified.summary.failed !== undefined) log.warn({ failure: verified.summary.failed }, 'verification failed; the findings are posted unverified');
  const { summary } = verified;
  return { findings: [...verified.kept, ...unscored], summary, ledger: { usage: verified.usage, usd, calls: verified.calls, scored: summary.scored, dropped: summary.dropped.length, failed: summary.failed !== undefined } };
}

/** Model calls per verification batch when the agent has tools: two rounds of tool calls, then the answer. */
export const VERIFY_MAX_TURNS = 3;

/** One line of reason per finding and a number: 15 findings answer in well under this. */
const VERIFY_MAX_OUTPUT_TOKENS = 4_000;
