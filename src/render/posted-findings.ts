import type { CheckAnnotation, ReviewDraft } from '../ports/pull-request-host.js';
import { CATEGORIES, SEVERITIES } from '../review/types.js';
import type { Category, Severity, Side } from '../review/types.js';
import { SEVERITY_EMOJI } from './severity-badge.js';

/** A finding as Bulwark posted it: what a local review prints and what the evaluation scores. */
export interface PostedFinding {
  path: string;
  /** First line of the finding (0: about the file as a whole). */
  line: number;
  /** Last line, when the finding spans several. */
  end_line?: number;
  side: Side;
  severity: Severity;
  category: Category;
  rule?: string;
  title: string;
  body: string;
  /** False for a finding the review lists in its body because it is not on a line of the diff. */
  onDiff: boolean;
}

const SEVERITY = `(${SEVERITIES.join('|')})`;
const CATEGORY = `(${CATEGORIES.join('|')})`;
const ANNOTATION_TITLE = new RegExp(`^${SEVERITY} · ${CATEGORY}(?: · (.+?))?: (.*)$`, 's');
const HEADLINE = new RegExp(`^\\*\\*\\S+ ${SEVERITY} · ${CATEGORY}\\*\\*(?: · \`([^\`]+)\`)?$`);
const UNANCHORED_TITLE = new RegExp(`^#### (?:${Object.values(SEVERITY_EMOJI).join('|')}) ${SEVERITY} · ${CATEGORY} — (.*)$`);
const LOCATION = /^`(.+):(\d+)(?:-(\d+))?` · /;

/**
 * Reads the findings back from what the App would have posted: the check run's annotations (every finding on a
 * head line, with the title `severity · category · rule: title` that render-check writes), inline comments on
 * deleted lines (which annotations cannot show) and the review body's "not on a changed line" entries. Reading
 * the posted text, not the pipeline's internals, keeps a local review exactly what a pull request would get.
 */
export function postedFindings(reviews: readonly ReviewDraft[], annotations: readonly CheckAnnotation[]): PostedFinding[] {
  const findings: PostedFinding[] = [];
  for (const annotation of annotations) {
    const match = ANNOTATION_TITLE.exec(annotation.title ?? '');
    if (!match) continue;
    findings.push({
      path: annotation.path,
      line: annotation.start_line,
      ...(annotation.end_line !== annotation.start_line ? { end_line: annotation.end_line } : {}),
      side: 'RIGHT',
      severity: match[1] as Severity,
      category: match[2] as Category,
      ...(match[3] ? { rule: match[3] } : {}),
      title: match[4] ?? '',
      body: annotation.message,
      onDiff: true,
    });
  }
  const review = reviews.at(-1);
  if (!review) return findings;
  for (const comment of review.comments) {
    if (comment.side !== 'LEFT') continue;
    const [headline = '', title = '', ...rest] = comment.body.split('\n\n');
    const match = HEADLINE.exec(headline);
    if (!match) continue;
    findings.push({
      path: comment.path,
      line: comment.start_line ?? comment.line,
      ...(comment.start_line !== undefined ? { end_line: comment.line } : {}),
      side: 'LEFT',
      severity: match[1] as Severity,
      category: match[2] as Category,
      ...(match[3] ? { rule: match[3] } : {}),
      title: title.replace(/^\*\*|\*\*$/g, ''),
      body: rest.filter((part) => !part.startsWith('<!--')).join('\n\n'),
      onDiff: true,
    });
  }
  const blocks = review.body.split('\n\n');
  blocks.forEach((block, index) => {
    const match = UNANCHORED_TITLE.exec(block);
    const where = LOCATION.exec(blocks[index + 1] ?? '');
    if (!match || !where) return;
    const last = where[3] === undefined ? undefined : Number(where[3]);
    findings.push({
      path: where[1] ?? '',
      line: Number(where[2]),
      ...(last !== undefined ? { end_line: last } : {}),
      side: 'RIGHT',
      severity: match[1] as Severity,
      category: match[2] as Category,
      title: match[3] ?? '',
      body: blocks[index + 2] ?? '',
      onDiff: false,
    });
  });
  return findings;
}
