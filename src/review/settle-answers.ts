import type { ModelReview } from '../ports/review-model.js';
import { maskModelText } from '../secrets/mask-model-text.js';
import { validateFindings } from './findings-schema.js';
import { mergeChunkReviews } from './merge-chunk-reviews.js';

/**
 * The chunks' answers as one: merged, each finding checked against the schema (the invalid ones counted), and
 * what the model wrote masked again before anything is rendered or posted (defence in depth, SECURITY.md).
 */
export async function settleAnswers(answers: readonly ModelReview[]) {
  const merged = mergeChunkReviews(answers);
  const validated = validateFindings(merged.findings);
  const written = await maskModelText({ summary: merged.summary, checklist: merged.checklist, findings: validated.findings, walkthrough: merged.walkthrough });
  return { merged, invalid: validated.invalid, written };
}
