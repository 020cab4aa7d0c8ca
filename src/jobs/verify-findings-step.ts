import type { ModelTools, ModelUsage, ReviewModel } from '../ports/review-model.js';
import { sumUsage } from '../review/merge-chunk-reviews.js';
import type { Finding, DiffFile, VerificationSummary } from '../review/types.js';
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
