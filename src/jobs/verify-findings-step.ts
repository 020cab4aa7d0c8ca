import type { RepoConfig } from '../config/repo-config.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { ModelTools, ReviewModel } from '../ports/review-model.js';
import { buildSystem } from '../review/build-prompt.js';
import { dropUnknownRules, knownRuleIds } from '../review/known-rule-ids.js';
import { NO_USAGE, splitForVerification, tallyVerification } from '../review/tally-verification.js';
import type { VerificationTally, VerifiedFindings } from '../review/tally-verification.js';
import type { DiffFile, Finding } from '../review/types.js';
import { verificationBatches, verificationRequest } from '../review/verify-findings.js';
import type { VerificationCall } from '../review/verify-findings.js';
import { chargeUsage } from './daily-budget.js';

/** The verification pass: every batch's call at once, so it adds one model round to the review's wall time. */
export async function verifyFindingsStep(input: VerificationCall & { model: ReviewModel; findings: Finding[]; signal?: AbortSignal | undefined }): Promise<VerificationTally> {
  const { model, findings } = input;
  // A model without the call (a stand-in of the port) posts its findings as they are, like review.verify: false.
  if (findings.length === 0 || model.verify === undefined) return { kept: [...findings], summary: undefined, usage: NO_USAGE, calls: 0, model: input.modelId };
  const verify = model.verify.bind(model);
  const batches = verificationBatches(findings);
  const settled = await Promise.allSettled(batches.map((batch) => verify(verificationRequest(batch, input), input.signal)));
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
  // The same system prompt the chunks sent: the cached prefix.
  const call = { modelId: agent.model, system: buildSystem(agent.agent), files: input.files, minScore: config.review.min_score, maxOutputTokens: deps.settings.maxOutputTokens, tools: input.tools };
  const verified = await verifyFindingsStep({ ...call, model: deps.model, findings: scored });
  if (verified.calls === 0 || verified.summary === undefined) return { findings: ruled.findings, summary: undefined, ledger: undefined };
  const spent = verified.usage.inputTokens + verified.usage.outputTokens > 0;
  const usd = spent ? await chargeUsage(deps, job, verified.model, [verified.usage], log) : 0;
  if (verified.summary.failed !== undefined) log.warn({ failure: verified.summary.failed }, 'verification failed; the findings are posted unverified');
  const { summary } = verified;
  return { findings: [...verified.kept, ...unscored], summary, ledger: { usage: verified.usage, usd, calls: verified.calls, scored: summary.scored, dropped: summary.dropped.length, failed: summary.failed !== undefined } };
}
