import type { ClippedFile } from '../review/plan-chunks.js';
import type { ScopeBasis } from '../review/review-scope.js';
import { clippedNote } from './clipped-note.js';
import { contextTooLargeNote } from './context-too-large-note.js';
import { renderScopeNote } from './render-scope-note.js';
import { unreadExtendsNote } from './render-config-problems.js';
import { REPO_CONFIG_FILE } from '../config/repo-config.js';

/** What a review did besides finding things, as facts; `renderNotes` words them for the check summary. */
export interface ReviewNotes {
  scope: ScopeBasis;
  /** Files the pull request changes (GitHub's count) and how many GitHub listed (at most 3,000). */
  changedFiles: number;
  listed: number;
  /** Files in chunks whose model call failed, and the first failure. */
  failedFiles: number;
  firstError: string | undefined;
  /** What counting tokens exactly changed in the plan (src/review/calibrate-plan.ts words it). */
  countNote: string | undefined;
  /** Chunks whose answer was kept from an earlier attempt, and chunks asked in this one. */
  kept: number;
  asked: number;
  /** The head archive was over this compressed cap (bytes), so the tools had no repository context. */
  contextTooLargeBytes: number | undefined;
  clipped: readonly ClippedFile[];
  repeats: number;
  resolved: number;
  secretsMasked: number;
  /** The agent's own notes (missing skills, ignored tools, model warnings). */
  agent: readonly string[];
  /** The config's `_extends` target that could not be read (`owner/repo:path`): the review used the rest. */
  unreadExtends?: string | undefined;
}

/** The notes under the ledger of a review's check summary, in the order a reader needs them. */
export function renderNotes(notes: ReviewNotes): string[] {
  const unlisted = Math.max(0, notes.changedFiles - notes.listed);
  return [
    notes.unreadExtends !== undefined ? unreadExtendsNote(REPO_CONFIG_FILE, notes.unreadExtends) : undefined,
    renderScopeNote(notes.scope),
    unlisted ? `Partial review: this pull request changes ${notes.changedFiles} files, but GitHub lists only the first ${notes.listed}; the other ${unlisted} file(s) were not reviewed.` : undefined,
    notes.failedFiles
      ? `Partial review: ${notes.failedFiles} file(s) could not be reviewed because a model call failed (${notes.firstError ?? 'unknown error'}). Use Re-run to try again.`
      : undefined,
    notes.countNote,
    keptNote(notes.kept, notes.asked),
    notes.contextTooLargeBytes !== undefined ? contextTooLargeNote(notes.contextTooLargeBytes) : undefined,
    notes.clipped.length ? clippedNote(notes.clipped) : undefined,
    notes.repeats ? `${notes.repeats} finding(s) already reported in open review threads were not repeated.` : undefined,
    notes.resolved ? `Resolved ${notes.resolved} earlier thread(s) whose finding is gone.` : undefined,
    notes.secretsMasked ? `${notes.secretsMasked} secret(s) were masked before the diff was sent to the model.` : undefined,
    ...notes.agent,
  ].filter((note): note is string => Boolean(note));
}

function keptNote(kept: number, asked: number): string | undefined {
  if (kept === 0) return undefined;
  return asked === 0
    ? 'The model answered an earlier attempt of this run, which could not publish; those answers are published here, without asking the model again. The ledger shows what they cost then.'
    : `${kept} chunk(s) the model answered in an earlier attempt were kept; it was asked again only for the ${asked} whose call had failed.`;
}
