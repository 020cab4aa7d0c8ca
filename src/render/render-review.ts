import type { InlineComment } from '../ports/pull-request-host.js';
import type { AnchoredFinding, Finding, ReviewResult, UnanchoredFinding } from '../review/types.js';
import { renderChecklistTable } from './checklist-table.js';
import { countBySeverity, formatSeverityCounts, pluralise, totalCount } from './count-by-severity.js';
import { reviewMarker } from './markers.js';
import { renderInlineComment } from './render-comment.js';
import { codeSpan, sanitizeInline, sanitizeMarkdown } from './sanitize-text.js';
import { severityBadge } from './severity-badge.js';
import { truncateMarkdown } from './truncate-markdown.js';
import { unanchoredReasonText } from './unanchored-reason-text.js';

/**
 * GitHub rejects a review body over 65,536 characters ("Body is too long (maximum is 65536 characters)"); the limit
 * applies to https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request like to any comment.
 */
export const REVIEW_BODY_MAX = 65_536;

const SUMMARY_MAX = 12_000;
const UNANCHORED_BODY_MAX = 3_000;
const TITLE_MAX = 200;
const SEPARATOR = '\n\n';

export interface RenderReviewOptions {
  /** The fingerprint of each inline finding, for its hidden marker. */
  fingerprints: ReadonlyMap<AnchoredFinding, string> | ((finding: AnchoredFinding) => string);
  /** The check run the body points to for details; defaults to "Bulwark". */
  checkName?: string;
  runId?: string;
  /** Not every file could be reviewed (e.g. over budget): the body says so up front. */
  partial?: boolean;
  /** For tests; defaults to GitHub's limit. */
  maxLength?: number;
}

/** A create-review request. Bulwark never approves: the event is always COMMENT. */
export interface RenderedReview {
  event: 'COMMENT';
  commit_id: string;
  body: string;
  comments: InlineComment[];
}

export function renderReview(result: ReviewResult, options: RenderReviewOptions): RenderedReview {
  const fingerprintOf = fingerprintLookup(options.fingerprints);
  return {
    event: 'COMMENT',
    commit_id: result.headSha,
    body: renderReviewBody(result, options),
    comments: result.inline.map((finding) => renderInlineComment(finding, fingerprintOf(finding))),
  } satisfies RenderedReview;
}

function fingerprintLookup(fingerprints: RenderReviewOptions['fingerprints']): (finding: AnchoredFinding) => string {
  if (typeof fingerprints === 'function') return fingerprints;
  return (finding) => {
    const fingerprint = fingerprints.get(finding);
    // A marker without a fingerprint would make the next run repost the finding: a caller bug, not a rendering choice.
    if (fingerprint === undefined) throw new Error(`No fingerprint for the finding at ${finding.path}:${finding.line}`);
    return fingerprint;
  };
}

/**
 * Heading, summary, counts and checklist always appear; then the findings that are not inline comments. When the
 * body would pass GitHub's limit, the overflow list is shortened first, then the unanchored findings lose their
 * explanations from the least important up (titles only), and lists that still do not fit end with "… and N more".
 * The marker is never cut.
 */
export function renderReviewBody(result: ReviewResult, options: Omit<RenderReviewOptions, 'fingerprints'> = {}): string {
  const max = options.maxLength ?? REVIEW_BODY_MAX;
  const checkName = sanitizeInline(options.checkName ?? 'Bulwark', 100);
  const marker = reviewMarker({ headSha: result.headSha, runId: options.runId });

  const top = [heading(), partialNotice(options.partial, checkName), sanitizeMarkdown(result.summary, SUMMARY_MAX), countsLine(result)];
  const checklist = result.checklist.length > 0 ? `### Checklist${SEPARATOR}${renderChecklistTable(result.checklist)}` : '';
  const bottom = [skippedLine(result, checkName), footer(result)];
  const assemble = (unanchored: string, overflow: string) =>
    [...top, checklist, unanchored, overflow, ...bottom].filter(Boolean).join(SEPARATOR);

  const [unanchored, overflow] = fitFindingSections(result, max - assemble('', '').length - 3 * SEPARATOR.length - marker.length);
  // The sections are bounded above; this guard only matters for a pathological checklist or summary.
  const content = truncateMarkdown(assemble(unanchored, overflow), max - SEPARATOR.length - marker.length);
  return `${content}${SEPARATOR}${marker}`;
}

function heading(): string {
  return '## 🛡️ Bulwark review';
}

function partialNotice(partial: boolean | undefined, checkName: string): string {
  return partial
    ? `> [!NOTE]\n> This is a partial review: not every changed file could be reviewed. The **${checkName}** check run lists what was left out.`
    : '';
}

function countsLine(result: ReviewResult): string {
  const findings = [...result.inline, ...result.overflow, ...result.unanchored];
  const total = totalCount(countBySeverity(findings));
  const lines: string[] = [];
  if (total === 0) {
    lines.push('✅ No issues found in the changed lines.');
  } else {
    const where = [
      result.inline.length > 0 ? pluralise(result.inline.length, 'inline comment') : '',
      overLimit(result).length > 0 ? `${overLimit(result).length} over the inline comment limit` : '',
      belowInline(result).length > 0 ? `${belowInline(result).length} below the inline severity, listed below` : '',
      result.unanchored.length > 0 ? `${result.unanchored.length} not on a changed line` : '',
    ].filter(Boolean);
    lines.push(`**${pluralise(total, 'finding')}** (${formatSeverityCounts(countBySeverity(findings))}): ${where.join(', ')}.`);
  }
  if (result.belowThreshold > 0) {
    lines.push(`${pluralise(result.belowThreshold, 'finding')} below the configured minimum severity ${result.belowThreshold === 1 ? 'was' : 'were'} not posted.`);
  }
  if (result.invalidFindings > 0) {
    lines.push(`${pluralise(result.invalidFindings, 'finding')} from the model ${result.invalidFindings === 1 ? 'was' : 'were'} dropped because ${result.invalidFindings === 1 ? 'it' : 'they'} did not match the expected format.`);
  }
  // Hard line breaks: one short paragraph instead of three.
  return lines.join('  \n');
}

function skippedLine(result: ReviewResult, checkName: string): string {
  if (result.skipped.length === 0) return '';
  const files = pluralise(result.skipped.length, 'file');
  return `${files} ${result.skipped.length === 1 ? 'was' : 'were'} not reviewed (lock files, generated or excluded files, or over the size budget); the **${checkName}** check run lists them.`;
}

function footer(result: ReviewResult): string {
  const agent = sanitizeInline(result.agent.name, 100);
  const model = codeSpan(result.model.slice(0, 100));
  return `<sub>Bulwark · agent ${agent} · model ${model} · ${pluralise(result.reviewedFiles.length, 'file')} reviewed</sub>`;
}

/**
 * The two lists that may have to give way, fitted into `room` characters: [unanchored, overflow]. The overflow
 * list shrinks first, down to its heading and "… and N more"; then the unanchored findings lose explanations.
 */
function fitFindingSections(result: ReviewResult, room: number): [string, string] {
  const overflow = overflowSection(result.overflow, Infinity);
  const unanchored = unanchoredSection(result.unanchored, Infinity);
  if (unanchored.length + overflow.length <= room) return [unanchored, overflow];

  const fitted = unanchoredSection(result.unanchored, room - overflowMinimum(result.overflow));
  return [fitted, overflowSection(result.overflow, room - fitted.length)];
}

const UNANCHORED_HEADING = [
  '### Findings not on a changed line',
  'These findings could not be attached to a line of this diff, so they are listed here instead of as inline comments.',
].join(SEPARATOR);
const TITLES_ONLY = '_More findings not on a changed line, titles only (size limit):_';

const OVERFLOW_HEADING = [
  '### More findings',
  'These findings are on changed lines, but over the limit of inline comments per review.',
].join(SEPARATOR);

const moreLine = (rest: number) => `… and ${rest} more not shown here (size limit).`;

/**
 * The first (most important) findings with their explanations, as many as fit, and the rest as a list of titles.
 * When not even every title fits, the titles that fit and "… and N more".
 */
function unanchoredSection(findings: readonly UnanchoredFinding[], room: number): string {
  if (findings.length === 0) return '';
  const full = findings.map(unanchoredEntry);
  const titles = findings.map(titleEntry);
  const withExplanations = largestFitting(full, titles, room);
  if (withExplanations === undefined) return fitList(UNANCHORED_HEADING, titles, '\n', room, moreLine);

  const rest = titles.slice(withExplanations);
  const tail = rest.length > 0 ? [`${TITLES_ONLY}\n${rest.join('\n')}`] : [];
  return [UNANCHORED_HEADING, ...full.slice(0, withExplanations), ...tail].join(SEPARATOR);
}

/** The largest k for which k full entries and the remaining titles fit in `room` (computed from lengths only). */
function largestFitting(full: readonly string[], titles: readonly string[], room: number): number | undefined {
  const count = full.length;
  const titlesFrom = new Array<number>(count + 1).fill(0);
  for (let index = count - 1; index >= 0; index -= 1) titlesFrom[index] = (titlesFrom[index + 1] ?? 0) + 1 + (titles[index]?.length ?? 0);

  let best: number | undefined;
  let fullUpTo = UNANCHORED_HEADING.length;
  for (let k = 0; k <= count; k += 1) {
    const titlesPart = k < count ? SEPARATOR.length + TITLES_ONLY.length + (titlesFrom[k] ?? 0) : 0;
    if (fullUpTo + titlesPart <= room) best = k;
    fullUpTo += SEPARATOR.length + (full[k]?.length ?? 0);
  }
  return best;
}

function unanchoredEntry(finding: UnanchoredFinding): string {
  const title = `#### ${severityBadge(finding.severity)} · ${finding.category} — ${sanitizeInline(finding.title, TITLE_MAX)}`;
  const where = `${location(finding)} · ${unanchoredReasonText(finding.reason)}`;
  return [title, where, sanitizeMarkdown(finding.body, UNANCHORED_BODY_MAX)].join(SEPARATOR);
}

const overLimit = (result: Pick<ReviewResult, 'overflow'>) => result.overflow.filter((finding) => finding.belowInline !== true);
const belowInline = (result: Pick<ReviewResult, 'overflow'>) => result.overflow.filter((finding) => finding.belowInline === true);

/**
 * The findings over the comment cap as a list, then those below `review.inline_min_severity` folded in a
 * <details> block (GitHub renders it collapsed): a reader sees they exist without scrolling past them. When both
 * do not fit, one plain list of titles, shortened like any list.
 */
function overflowSection(findings: readonly AnchoredFinding[], room: number): string {
  if (findings.length === 0) return '';
  const over = overLimit({ overflow: [...findings] });
  const low = belowInline({ overflow: [...findings] });
  const parts = [
    over.length > 0 ? [OVERFLOW_HEADING, over.map(titleEntry).join('\n')].join(SEPARATOR) : '',
    low.length > 0 ? [`<details><summary>${pluralise(low.length, 'finding')} below the severity posted inline</summary>`, low.map(titleEntry).join('\n'), '</details>'].join(SEPARATOR) : '',
  ].filter(Boolean);
  const full = parts.join(SEPARATOR);
  if (full.length <= room) return full;
  return fitList(OVERFLOW_HEADING, findings.map(titleEntry), '\n', room, moreLine);
}

/** The overflow section at its shortest: heading and "… and N more". */
function overflowMinimum(findings: readonly AnchoredFinding[]): number {
  return findings.length === 0 ? 0 : OVERFLOW_HEADING.length + SEPARATOR.length + moreLine(findings.length).length;
}

/** One compact line: `- 🟠 high · security · src/a.ts:12 — Title`. */
function titleEntry(finding: Finding): string {
  return `- ${severityBadge(finding.severity)} · ${finding.category} · ${location(finding)} — ${sanitizeInline(finding.title, TITLE_MAX)}`;
}

function location(finding: Finding & { startLine?: number | undefined }): string {
  const first = finding.startLine ?? finding.line;
  const last = finding.startLine === undefined ? finding.end_line : finding.line;
  const lines = last !== undefined && last !== first ? `${first}-${last}` : `${first}`;
  return codeSpan(`${finding.path.slice(0, 300)}:${lines}`);
}

/**
 * The heading and as many entries as fit in `room`, then "… and N more" for the rest. When not even the heading
 * and that line fit, the section is left out (the counts line still reports every finding).
 */
function fitList(heading: string, entries: readonly string[], separator: string, room: number, more: (rest: number) => string): string {
  const full = [heading, entries.join(separator)].join(SEPARATOR);
  if (full.length <= room) return full;

  const reserve = SEPARATOR.length + more(entries.length).length;
  const kept: string[] = [];
  let used = heading.length;
  for (const entry of entries) {
    const cost = (kept.length === 0 ? SEPARATOR.length : separator.length) + entry.length;
    if (used + cost + reserve > room) break;
    kept.push(entry);
    used += cost;
  }
  if (used + reserve > room) return '';
  const listed = kept.length > 0 ? [kept.join(separator)] : [];
  return [heading, ...listed, more(entries.length - kept.length)].join(SEPARATOR);
}
