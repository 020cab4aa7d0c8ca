import type { ClippedFile } from '../review/plan-chunks.js';
import { codeSpan } from './sanitize-text.js';

const CLIPPED_LISTED_MAX = 20;

/**
 * The check summary's note on files cut down to fit the budget. A path is the pull request author's choice, so it
 * may hold a backtick, a mention or HTML: it goes through `codeSpan` like every path Bulwark writes.
 */
export function clippedNote(clipped: readonly ClippedFile[]): string {
  const listed = clipped.slice(0, CLIPPED_LISTED_MAX).map((clip) => `${codeSpan(clip.path.slice(0, 300))} (${clip.keptHunks}/${clip.totalHunks} hunks)`);
  const more = clipped.length > CLIPPED_LISTED_MAX ? ` and ${clipped.length - CLIPPED_LISTED_MAX} more` : '';
  return `Clipped to fit the budget: ${listed.join(', ')}${more}.`;
}
