import type { InlineComment } from '../ports/pull-request-host.js';
import type { AnchoredFinding } from '../review/types.js';
import { containsMarker, findingMarker } from './markers.js';
import { safeSuggestion } from './safe-suggestion.js';
import { codeSpan, fence, sanitizeInline, sanitizeMarkdown } from './sanitize-text.js';
import { severityBadge } from './severity-badge.js';

/**
 * Our own cap per inline comment, far below GitHub's 65,536-character body limit
 * (https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request): a review comment longer than
 * a screen is not read, and a review carries many of them.
 */
export const COMMENT_BODY_MAX = 8_000;

const TITLE_MAX = 200;
const RULE_MAX = 80;
const OPTION_MAX = 400;
const MAX_OPTIONS = 5;
/** The explanation always keeps at least this much room; a suggestion that would squeeze it further is dropped. */
const MIN_EXPLANATION = 600;

/**
 * One finding as an entry of the create-review `comments[]` array
 * (https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request): `line`/`side` address the
 * last line, `start_line`/`start_side` the first line of a multi-line comment, on the same side.
 */
export function renderInlineComment(finding: AnchoredFinding, fingerprint: string, maxLength = COMMENT_BODY_MAX): InlineComment {
  const position = finding.startLine === undefined ? {} : { start_line: finding.startLine, start_side: finding.side };
  return {
    path: finding.path,
    line: finding.line,
    side: finding.side,
    ...position,
    body: renderCommentBody(finding, fingerprint, maxLength),
  } satisfies InlineComment;
}

/** Badge line, title, explanation, options, suggestion, marker; only the explanation is shortened to fit. */
export function renderCommentBody(finding: AnchoredFinding, fingerprint: string, maxLength = COMMENT_BODY_MAX): string {
  const head = [findingHeadline(finding), `**${sanitizeInline(finding.title, TITLE_MAX)}**`];
  const options = renderOptions(finding.options);
  const marker = findingMarker({ fingerprint, rule: finding.rule });
  const fixed = (suggestion: string) => [...head, options, suggestion, marker].filter(Boolean).join('\n\n').length;

  let suggestion = renderSuggestion(finding);
  // The suggestion is never cut (half a suggestion is a broken one-click change): it goes whole or not at all.
  if (suggestion && fixed(suggestion) + MIN_EXPLANATION > maxLength) suggestion = '_A suggested change was left out because it is too long for a comment._';

  // Two separators around the explanation, which sits between the head and the options.
  const room = Math.max(0, maxLength - fixed(suggestion) - 2);
  const explanation = room > 0 ? sanitizeMarkdown(finding.body, room) : '';
  return [...head, explanation, options, suggestion, marker].filter(Boolean).join('\n\n');
}

/** E.g. **🔴 critical · security** · `SEC-AUTH-2` */
export function findingHeadline(finding: Pick<AnchoredFinding, 'severity' | 'category' | 'rule'>): string {
  const badge = `**${severityBadge(finding.severity)} · ${finding.category}**`;
  return finding.rule === undefined ? badge : `${badge} · ${codeSpan(finding.rule.slice(0, RULE_MAX))}`;
}

function renderOptions(options: readonly string[] | undefined): string {
  if (!options || options.length === 0) return '';
  const items = options.slice(0, MAX_OPTIONS).map((option, index) => `${index + 1}. ${sanitizeInline(option, OPTION_MAX)}`);
  return ['**Options**', ...items].join('\n');
}

/**
 * The model's replacement lines, verbatim, in a fence longer than any backtick run they contain. GitHub applies a
 * `suggestion` block to the commented lines of the head file, so it is offered only on the RIGHT side
 * (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/reviewing-changes-in-pull-requests/incorporating-feedback-in-your-pull-request).
 * Text that looks like a Bulwark marker cannot be stripped without changing the code, so such a suggestion is left out.
 */
function renderSuggestion(finding: AnchoredFinding): string {
  const code = finding.suggestion;
  // An empty string would suggest deleting the lines; a model leaves the field empty far more often than it means that.
  if (code === undefined || code.trim() === '') return '';
  if (containsMarker(code)) return '_A suggested change was left out because it contains text Bulwark reserves for its own markers._';
  const safe = safeSuggestion(finding, code);
  return safe.committable ? fence(safe.code, 'suggestion') : `Suggested code (not a one-click change: check it against the lines above):\n\n${fence(safe.code)}`;
}
