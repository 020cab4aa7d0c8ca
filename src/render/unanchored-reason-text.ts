import type { UnanchoredReason } from '../review/types.js';

/** Why a finding could not become an inline comment, in words for the reader of the review or check. */
export const UNANCHORED_REASON_TEXT = {
  'unknown-file': 'the file is not part of this diff',
  'line-not-in-diff': 'the line is not part of this diff',
  'range-crosses-hunks': 'the line range spans more than one diff hunk',
  'range-reversed': 'the line range was invalid',
  'quote-not-in-diff': 'the code it quotes is not in this diff (unverified)',
} as const satisfies Record<UnanchoredReason, string>;

export function unanchoredReasonText(reason: UnanchoredReason): string {
  return UNANCHORED_REASON_TEXT[reason];
}
