import { quoteLines } from '../review/quote-anchor.js';
import type { AnchoredFinding } from '../review/types.js';

export interface SafeSuggestion {
  /** The replacement, re-indented to the anchored lines when it is committable. */
  code: string;
  /** Offered as a `suggestion` block (one click commits it); otherwise shown as a plain code block. */
  committable: boolean;
}

/**
 * Whether a finding's replacement text can be offered as a one-click change. GitHub applies a `suggestion` block
 * to exactly the commented lines of the head file
 * (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/reviewing-changes-in-pull-requests/incorporating-feedback-in-your-pull-request),
 * so it is committable only when:
 * - it replaces RIGHT-side lines of one hunk (anchoring proves that and keeps their text in `anchoredCode`);
 * - it was written for exactly those lines: the finding's quote is those lines, no more, no fewer (a quote of
 *   one line moved onto a range, or the reverse, would replace code the model did not mean);
 * - re-indented to the anchored lines' indentation (a model often drops the leading whitespace), it differs from
 *   the code it replaces.
 * Otherwise the text is shown as a plain code block to read, never to commit.
 */
export function safeSuggestion(finding: AnchoredFinding, suggestion: string): SafeSuggestion {
  const current = finding.anchoredCode;
  if (finding.side !== 'RIGHT' || current === undefined || current.length === 0) return { code: suggestion, committable: false };
  if (finding.existing_code !== undefined && quoteLines(finding.existing_code).length !== trimBlankEnds(current).length) {
    return { code: suggestion, committable: false };
  }
  const code = reindent(suggestion, indentOf(current));
  if (sameCode(code, current.join('\n'))) return { code: suggestion, committable: false };
  return { code, committable: true };
}

function trimBlankEnds(lines: readonly string[]): string[] {
  const kept = [...lines];
  while (kept.length > 0 && kept[0]?.trim() === '') kept.shift();
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop();
  return kept;
}

/** The indentation of the first non-blank line. */
function indentOf(lines: readonly string[]): string {
  const first = lines.find((line) => line.trim() !== '') ?? '';
  return /^[ \t]*/.exec(first)?.[0] ?? '';
}

/**
 * Shifts every line so the first non-blank one has `indent`, keeping the lines' indentation relative to it. A
 * line indented less than the first loses what it has (it cannot go further left than the margin).
 */
function reindent(code: string, indent: string): string {
  const lines = code.replace(/\r\n/g, '\n').split('\n');
  const own = indentOf(lines);
  if (own === indent) return lines.join('\n');
  return lines
    .map((line) => {
      if (line.trim() === '') return '';
      const stripped = line.startsWith(own) ? line.slice(own.length) : line.replace(/^[ \t]*/, '');
      return indent + stripped;
    })
    .join('\n');
}

function sameCode(a: string, b: string): boolean {
  const tidy = (text: string) => text.split('\n').map((line) => line.trimEnd()).join('\n').trim();
  return tidy(a) === tidy(b);
}
