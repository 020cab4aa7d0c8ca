import type { ReviewOutcome } from './review-outcome.js';
import type { SkippedFile, SkipReason } from './types.js';

/**
 * Skip reasons that leave part of the change unread: the file was worth reviewing but did not fit (budget, file
 * limit), its model call failed, or GitHub gave no usable diff for text that changed. A review that left any of
 * these out is partial. Removed, binary, lock, generated, vendored and excluded files are skipped on purpose:
 * reviewing them would not be reviewing the backend change, so a review without them is complete.
 */
const NOT_REVIEWED = new Set<SkipReason>(['over-budget', 'over-file-limit', 'review-failed', 'unparseable-patch', 'diff-too-large']);

/** The skipped files that make a review partial, in the order given. */
export function unreviewedFiles(skipped: readonly SkippedFile[]): SkippedFile[] {
  return skipped.filter((file) => NOT_REVIEWED.has(file.reason));
}

/**
 * How a run ends when nothing was selected for the model: changed code that could not be read is not "nothing to
 * review" (a skipped check would pass), so it is `unread`; otherwise the review is skipped.
 */
export function nothingSelectedOutcome(skipped: SkippedFile[], blocking: boolean): Extract<ReviewOutcome, { kind: 'unread' | 'skipped' }> {
  return unreviewedFiles(skipped).length > 0 ? { kind: 'unread', skipped, blocking } : { kind: 'skipped', why: { kind: 'nothing-reviewable', skipped: skipped.length } };
}
