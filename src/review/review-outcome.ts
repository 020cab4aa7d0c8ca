import type { GiveUpReason } from '../ports/job-queue.js';
import type { Service } from '../ports/service-error.js';
import type { Ledger } from '../render/render-ledger.js';
import type { ReviewNotes } from '../render/render-notes.js';
import type { ScopeBasis } from './review-scope.js';
import type { SpendLimit } from './spend-limit.js';
import type { Conclusion, ReviewResult, SkippedFile } from './types.js';

/** Why a run did not review the code; src/render/render-skip.ts words it. */
export type SkipWhy =
  | { kind: 'closed'; number: number; merged: boolean }
  | { kind: 'moved-on'; headSha: string }
  | { kind: 'draft' }
  /** `/review pause`: automatic reviews wait for `/review resume`. */
  | { kind: 'paused'; by: string }
  | { kind: 'bot'; login: string }
  | { kind: 'author'; association: string; authors: readonly string[] }
  | { kind: 'unchanged'; basis: ScopeBasis }
  | { kind: 'nothing-reviewable'; skipped: number }
  | { kind: 'superseded' };

/**
 * How a run ended, as a value (README "Every review job ends in a completed check run"): the pipeline returns it,
 * the runner's catch makes one of a failure, and jobs/complete-check.ts is the one place that turns it into the
 * check run's completion (through src/render/render-outcome.ts).
 */
export type ReviewOutcome =
  | { kind: 'skipped'; why: SkipWhy }
  | { kind: 'config-invalid'; file: string; problems: string[] }
  | { kind: 'over-budget'; limit: SpendLimit }
  /** Changed code, none of it readable (GitHub shows no diff): not a skip, which would pass. */
  | { kind: 'unread'; skipped: SkippedFile[]; blocking: boolean }
  /** Reviewed, perhaps in part (`partial`: files left out or never listed; never `success` then). */
  | { kind: 'reviewed'; result: ReviewResult; conclusion: Exclude<Conclusion, 'skipped'>; partial: boolean; unlisted: number; durationMs: number; ledger: Ledger; notes: ReviewNotes }
  | { kind: 'failed'; service: Service | 'internal'; message: string | undefined }
  /** The queue gave up on the job, or a later job found its run left in progress (`lost`). */
  | { kind: 'gave-up'; reason: GiveUpReason | { kind: 'lost' } };
