import type { CheckRunCompletion, ReviewDraft } from '../ports/pull-request-host.js';
import type { DiffFile } from '../review/types.js';
import { MARKER_PREFIX } from './markers.js';
import { fence } from './sanitize-text.js';

const DIFF_CONTEXT_LINES = 3;

/**
 * What a local review prints: the review as it would be posted, each inline comment under its `file:line` with the
 * diff lines it is about, then the check run's title and summary. No review (nothing to say, a skip, a failure):
 * the check run alone, which always says what happened.
 */
export function renderLocalReview(input: { review: ReviewDraft | undefined; check: CheckRunCompletion | undefined; files: readonly DiffFile[] }): string {
  const parts: string[] = [];
  const { review, check } = input;
  if (review) {
    parts.push(stripMarkers(review.body));
    for (const comment of review.comments) {
      const first = comment.start_line ?? comment.line;
      const where = first === comment.line ? `${comment.path}:${comment.line}` : `${comment.path}:${first}-${comment.line}`;
      const excerpt = diffExcerpt(input.files, comment.path, comment.side, first, comment.line);
      parts.push([`### ${where}${comment.side === 'LEFT' ? ' (deleted lines)' : ''}`, excerpt ? fence(excerpt, 'diff') : '', stripMarkers(comment.body)].filter(Boolean).join('\n\n'));
    }
  }
  if (check) {
    parts.push(`---\n\n**Check: ${check.conclusion}** — ${check.output.title}\n\n${stripMarkers(check.output.summary)}`);
  } else {
    parts.push('---\n\nThe review did not complete.');
  }
  return `${parts.join('\n\n')}\n`;
}

function stripMarkers(text: string): string {
  return text
    .replace(new RegExp(`\\n*<!--\\s*${MARKER_PREFIX}[^>]*-->`, 'g'), '')
    .trim();
}

/** The diff lines from a few lines before the comment's first line to its last, on its side. */
function diffExcerpt(files: readonly DiffFile[], path: string, side: 'LEFT' | 'RIGHT', first: number, last: number): string {
  const file = files.find((candidate) => candidate.path === path);
  if (!file) return '';
  const lines: string[] = [];
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      const number = side === 'RIGHT' ? line.newLine : line.oldLine;
      if (number === undefined || number < first - DIFF_CONTEXT_LINES || number > last) continue;
      lines.push(`${line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' '}${line.text}`);
    }
  }
  return lines.join('\n');
}
