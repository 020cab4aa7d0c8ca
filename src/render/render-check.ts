import type { CheckAnnotation } from '../ports/pull-request-host.js';
import type { AnchoredFinding, Conclusion, Finding, ReviewResult, Severity, SkippedFile, SkipReason, UnanchoredFinding } from '../review/types.js';
import { unreviewedFiles } from '../review/unreviewed-files.js';
import { renderChecklistTable } from './checklist-table.js';
import { learningSummaryLines, renderSuppressedByLearning } from './render-learning.js';
import { countBySeverity, formatSeverityCounts, pluralise, severityCountLine, totalCount } from './count-by-severity.js';
import type { SeverityCounts } from './count-by-severity.js';
import { codeSpan, normalise, sanitizeInline, sanitizeMarkdown } from './sanitize-text.js';
import { severityBadge } from './severity-badge.js';
import { safeSlice, truncateMarkdown } from './truncate-markdown.js';
import { unanchoredReasonText } from './unanchored-reason-text.js';

/**
 * Check run output limits (https://docs.github.com/en/rest/checks/runs#update-a-check-run): `summary` and `text`
 * at most 65,535 characters, an annotation `title` at most 255, `message` at most 64 KB, and at most 50
 * annotations per request (further updates append).
 */
export const CHECK_TEXT_MAX = 65_535;
export const ANNOTATION_TITLE_MAX = 255;
/** Far below the 64 KB limit: an annotation is read in a small box next to the code. */
export const ANNOTATION_MESSAGE_MAX = 4_000;

const SKIPPED_ROWS_MAX = 100;
const MISSING_ANNOTATIONS_MAX = 200;

/** An annotation as Bulwark writes it: always titled. */
export type Annotation = CheckAnnotation & { title: string };

export interface RenderedCheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: Annotation[];
}

export interface CheckExtras {
  durationMs?: number | undefined;
  /** Trusted Markdown from renderLedger (and notes by Bulwark itself), appended to the summary as is. */
  ledger?: string | undefined;
  /** Files of the pull request GitHub did not list (it lists at most 3,000): never seen, so never reviewed. */
  unlisted?: number | undefined;
}

export function renderCheckOutput(result: ReviewResult, conclusion: Conclusion, extras: CheckExtras = {}): RenderedCheckOutput {
  const findings = [...result.inline, ...result.overflow, ...result.unanchored];
  const counts = countBySeverity(findings);
  const text = truncateMarkdown([renderUnannotated(result), renderDroppedByVerification(result), renderSuppressedByLearning(result)].filter(Boolean).join('\n\n'), CHECK_TEXT_MAX);
  const partial = partialOf(result, extras.unlisted ?? 0);
  return {
    title: partial ? `${partialHeadline(partial)} · ${checkTitle(counts)}` : checkTitle(counts),
    summary: renderSummary(result, conclusion, counts, extras, partial),
    ...(text ? { text } : {}),
    annotations: renderAnnotations(result),
  } satisfies RenderedCheckOutput;
}

/** `No issues found`, `1 finding`, `3 findings (1 critical, 1 high)`. */
export function checkTitle(counts: SeverityCounts): string {
  const total = totalCount(counts);
  if (total === 0) return 'No issues found';
  const serious = formatSeverityCounts(counts, ['critical', 'high']);
  return serious ? `${pluralise(total, 'finding')} (${serious})` : pluralise(total, 'finding');
}

/** Why the check ended as it did, e.g. "2 high findings; check is not blocking". */
export function conclusionReason(conclusion: Conclusion, counts: SeverityCounts): string {
  const total = totalCount(counts);
  const found = `${formatSeverityCounts(counts)} ${total === 1 ? 'finding' : 'findings'}`;
  switch (conclusion) {
    case 'failure':
      return `${found}; check is failing as configured`;
    case 'neutral':
      return total === 0 ? 'No issues found; check is not blocking' : `${found}; check is not blocking`;
    case 'success':
      return total === 0 ? 'No issues found' : `${found}; none at the severity that fails the check`;
    case 'skipped':
      return 'Review skipped';
  }
}

/** What a partial review left out: the files that were not read, and those GitHub never listed. */
interface Partial {
  reviewed: number;
  total: number;
  unreviewed: SkippedFile[];
  unlisted: number;
}

function partialOf(result: ReviewResult, unlisted: number): Partial | undefined {
  const unreviewed = unreviewedFiles(result.skipped);
  if (unreviewed.length === 0 && unlisted <= 0) return undefined;
  return { reviewed: result.reviewedFiles.length, total: result.reviewedFiles.length + result.skipped.length + unlisted, unreviewed, unlisted };
}

const count = (value: number) => value.toLocaleString('en-US');

/** `Partial review: 66 of 3,000 files reviewed`. */
function partialHeadline(partial: Partial): string {
  return `Partial review: ${count(partial.reviewed)} of ${count(partial.total)} files reviewed`;
}

/** What was left out, by cause, each with how to get those files reviewed. */
function partialSection(partial: Partial): string {
  const by = (reasons: SkipReason[]) => partial.unreviewed.filter((file) => reasons.includes(file.reason)).length;
  const lines = [
    [by(['over-budget']), 'did not fit the review size budget: raise `budget.max_input_tokens` in `.github/bulwark.yml` (the operator\'s `BULWARK_MAX_INPUT_TOKENS` caps it), or split the pull request, then comment `/review`.'],
    [by(['over-file-limit']), 'were over the limit of files per review (`BULWARK_MAX_FILES`, set by the operator): split the pull request, or ask for a higher limit, then comment `/review`.'],
    [partial.unlisted, 'beyond the 3,000 GitHub lists for a pull request were never seen: split the pull request into smaller ones.'],
    [by(['review-failed']), 'whose model call failed: use **Re-run** on this check, or comment `/review`, to review them.'],
    [by(['diff-too-large', 'unparseable-patch']), 'GitHub shows no diff for (too large) or whose diff could not be read: review them by hand, or split the change into smaller commits and pull requests.'],
  ] as const;
  return [
    '### Not reviewed',
    '',
    ...lines.filter(([files]) => files > 0).map(([files, remedy]) => `- ${count(files)} file(s) ${remedy}`),
  ].join('\n');
}

function renderSummary(result: ReviewResult, conclusion: Conclusion, counts: SeverityCounts, extras: CheckExtras, partial: Partial | undefined): string {
  const sections = [
    partial ? `**${partialHeadline(partial)}; ${partialFindings(counts)}.**` : `**${conclusionReason(conclusion, counts)}.**`,
    partial ? partialSection(partial) : '',
    [severityCountLine(counts), ...notPostedLines(result)].join('  \n'),
    result.checklist.length > 0 ? `### Checklist\n\n${renderChecklistTable(result.checklist)}` : '',
    `Reviewed ${pluralise(result.reviewedFiles.length, 'file')}.`,
    renderSkippedTable(result.skipped),
    agentLine(result, extras.ledger === undefined ? extras.durationMs : undefined),
    extras.ledger ?? '',
  ];
  return truncateMarkdown(sections.filter(Boolean).join('\n\n'), CHECK_TEXT_MAX);
}

function partialFindings(counts: SeverityCounts): string {
  const total = totalCount(counts);
  return total === 0 ? 'no issues found in them' : `${formatSeverityCounts(counts)} ${total === 1 ? 'finding' : 'findings'} in them`;
}

function notPostedLines(result: ReviewResult): string[] {
  const verification = result.verification;
  return [
    result.belowThreshold > 0 ? `${pluralise(result.belowThreshold, 'finding')} below the configured minimum severity not posted.` : '',
    result.invalidFindings > 0 ? `${pluralise(result.invalidFindings, 'malformed finding')} from the model dropped.` : '',
    verification && verification.failed === undefined && verification.dropped.length > 0
      ? `${pluralise(verification.dropped.length, 'finding')} dropped by verification (scored below ${verification.minScore} of 10); listed in the details.`
      : '',
    verification?.failed !== undefined
      ? `Verification failed (${sanitizeInline(verification.failed, 300)}): the findings are posted unverified.`
      : '',
    ...learningSummaryLines(result),
  ].filter(Boolean);
}

const DROPPED_MAX = 100;

/**
 * The findings verification dropped, folded in a <details> block of the check run's details: a reader can see
 * what was not posted and why, and the review itself stays free of them.
 */
export function renderDroppedByVerification(result: ReviewResult): string {
  const dropped = result.verification?.dropped ?? [];
  if (dropped.length === 0) return '';
  const lines = dropped.slice(0, DROPPED_MAX).map(
    ({ finding, score, reason }) =>
      `- ${score}/10 · ${severityBadge(finding.severity)} · ${codeSpan(`${finding.path.slice(0, 300)}:${finding.line}`)} — ${sanitizeInline(finding.title, 200)}: ${sanitizeInline(reason, 300)}`,
  );
  const more = dropped.length > DROPPED_MAX ? [`… and ${dropped.length - DROPPED_MAX} more.`] : [];
  return [`<details><summary>${pluralise(dropped.length, 'finding')} dropped by verification (not posted)</summary>`, '', ...lines, ...more, '', '</details>'].join('\n');
}

const SKIP_REASON_TEXT = {
  // GitHub gives no patch for binary files, very large diffs and renames without changes.
  'no-patch': 'no diff available (binary, too large, or renamed without changes)',
  removed: 'file removed',
  lockfile: 'lock file',
  generated: 'generated file',
  vendored: 'vendored code',
  'excluded-by-config': 'excluded by the repository config',
  'unparseable-patch': 'diff could not be parsed',
  'diff-too-large': 'not reviewed: GitHub shows no diff for it (too large)',
  'over-file-limit': 'over the limit of files per review',
  'over-budget': 'over the review size budget',
  'review-failed': 'not reviewed: the model call for it failed',
} as const satisfies Record<SkipReason, string>;

export function renderSkippedTable(skipped: ReviewResult['skipped'], maxRows = SKIPPED_ROWS_MAX): string {
  if (skipped.length === 0) return '';
  const rows = skipped.slice(0, maxRows).map((file) => `| ${codeSpan(file.path.slice(0, 300), { table: true })} | ${SKIP_REASON_TEXT[file.reason]} |`);
  const more = skipped.length > maxRows ? ['', `… and ${skipped.length - maxRows} more.`] : [];
  return [`### Skipped files (${skipped.length})`, '', '| File | Reason |', '|---|---|', ...rows, ...more].join('\n');
}

function agentLine(result: ReviewResult, durationMs: number | undefined): string {
  const parts = [
    `Agent: **${sanitizeInline(result.agent.name, 100)}** (${codeSpan(result.agent.source.slice(0, 200))})`,
    `model ${codeSpan(result.model.slice(0, 100))}`,
    durationMs === undefined ? '' : `took ${formatDuration(durationMs)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const LEVEL = {
  critical: 'failure',
  high: 'failure',
  medium: 'warning',
  low: 'notice',
} as const satisfies Record<Severity, Annotation['annotation_level']>;

/**
 * Inline and overflow findings, each on its lines of the head file. Left out: unanchored findings (their line is
 * not proven to exist in the head file, and one annotation GitHub rejects fails the whole check-run update, so
 * the check would never complete — they are listed in the review body and the check's text), and LEFT-side findings, whose line
 * numbers count lines of the base file while an annotation always points into the head commit's file, so it
 * would mark an unrelated line.
 */
export function renderAnnotations(result: ReviewResult): Annotation[] {
  const annotated = [...result.inline, ...result.overflow, ...result.unanchored].filter(isAnnotatable);
  return annotated.map((finding) => {
    const [start, end] = lineRange(finding);
    return {
      path: finding.path,
      start_line: start,
      end_line: end,
      annotation_level: LEVEL[finding.severity],
      message: annotationMessage(finding),
      title: annotationTitle(finding),
    } satisfies Annotation;
  });
}

function isAnnotatable(finding: AnchoredFinding | UnanchoredFinding): boolean {
  if ('reason' in finding) return false;
  if (finding.side === 'LEFT') return false;
  return Number.isInteger(finding.line) && finding.line >= 1;
}

/** Ordered, because an unanchored range may be reversed and GitHub requires start_line <= end_line. */
function lineRange(finding: AnchoredFinding | UnanchoredFinding): [number, number] {
  const other = 'startLine' in finding && finding.startLine !== undefined ? finding.startLine : finding.end_line ?? finding.line;
  const valid = Number.isInteger(other) && other >= 1 ? other : finding.line;
  return [Math.min(finding.line, valid), Math.max(finding.line, valid)];
}

function annotationTitle(finding: Finding): string {
  const rule = finding.rule === undefined ? '' : ` · ${finding.rule}`;
  return plainText(`${finding.severity} · ${finding.category}${rule}: ${finding.title}`, ANNOTATION_TITLE_MAX);
}

/** Annotations are shown as plain text: no Markdown to escape, only length and control characters to bound. */
function annotationMessage(finding: AnchoredFinding | UnanchoredFinding): string {
  const note = 'reason' in finding ? `Not an inline comment: ${unanchoredReasonText(finding.reason)}. Listed in the review body.\n\n` : '';
  const options = finding.options?.length ? `\n\nOptions:\n${finding.options.map((option, index) => `${index + 1}. ${option}`).join('\n')}` : '';
  return plainText(`${note}${finding.body}${options}`, ANNOTATION_MESSAGE_MAX, true);
}

function plainText(text: string, max: number, multiline = false): string {
  const cleaned = normalise(text);
  const shaped = multiline ? cleaned.trim() : cleaned.replace(/\s+/g, ' ').trim();
  return shaped.length <= max ? shaped : `${safeSlice(shaped, max - 1)}…`;
}

/** Findings the check cannot annotate, so the check run still lists every finding. */
function renderUnannotated(result: ReviewResult): string {
  const missing = [...result.inline, ...result.overflow, ...result.unanchored].filter((finding) => !isAnnotatable(finding));
  if (missing.length === 0) return '';
  const lines = missing.slice(0, MISSING_ANNOTATIONS_MAX).map((finding) => {
    const why = 'reason' in finding ? unanchoredReasonText(finding.reason) : 'on a deleted line';
    return `- ${severityBadge(finding.severity)} · ${codeSpan(`${finding.path.slice(0, 300)}:${finding.line}`)} (${why}) — ${sanitizeInline(finding.title, 200)}`;
  });
  const more = missing.length > MISSING_ANNOTATIONS_MAX ? [`… and ${missing.length - MISSING_ANNOTATIONS_MAX} more.`] : [];
  const text = ['### Findings without annotations', '', 'These findings are in the review but cannot be shown as annotations on the head commit.', '', ...lines, ...more].join('\n');
  return truncateMarkdown(text, CHECK_TEXT_MAX);
}

export type FailedService = 'github' | 'anthropic' | 'config' | 'internal';

export interface FailureInfo {
  stage: string;
  service?: FailedService | undefined;
  message: string;
  retryHint: string;
}

const SERVICE_TEXT = {
  github: 'GitHub API',
  anthropic: 'model API (Anthropic)',
  config: 'configuration',
  internal: 'internal error',
} as const satisfies Record<FailedService, string>;

/** A check output for a review that failed: what failed and how to retry, never a stack trace. */
export function renderFailureOutput(failure: FailureInfo): { title: string; summary: string } {
  const service = failure.service ?? 'internal';
  const message = sanitizeMarkdown(redactSecrets(stripStackTrace(failure.message)), 2_000) || 'No details were given.';
  const summary = [
    `Bulwark could not finish this review. It failed during **${sanitizeInline(failure.stage, 100)}** (${SERVICE_TEXT[service]}).`,
    message,
    `**How to retry:** ${sanitizeMarkdown(failure.retryHint, 1_000)}`,
  ].join('\n\n');
  return { title: `Review failed: ${SERVICE_TEXT[service]}`, summary };
}

/** Stack frames (`    at fn (file:1:2)`) say where the code failed, which helps no reader of a check run. */
export function stripStackTrace(message: string): string {
  return message
    .split(/\r?\n/)
    .filter((line) => !/^\s+at\s/.test(line) && !/^\s*\.\.\. \d+ more/.test(line))
    .join('\n')
    .trim();
}

/** Error messages can echo request headers; a token must never reach a public check run. */
function redactSecrets(message: string): string {
  return message
    .replace(/\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}/g, '[redacted]')
    .replace(/\bsk-ant-[A-Za-z0-9_-]{8,}/g, '[redacted]')
    .replace(/\b(Bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}/gi, '$1 [redacted]');
}

/**
 * A check output for a review that read nothing although files worth reviewing changed (GitHub shows no diff for
 * them, or none parsed): not a skip, which would pass as if there were nothing to review.
 */
export function renderUnreadOutput(skipped: SkippedFile[], unlisted = 0): { title: string; summary: string } {
  const partial = { reviewed: 0, total: skipped.length + unlisted, unreviewed: unreviewedFiles(skipped), unlisted };
  return {
    title: partialHeadline(partial),
    summary: [`**${partialHeadline(partial)}.**`, partialSection(partial), renderSkippedTable(skipped)].filter(Boolean).join('\n\n'),
  };
}

/** A check output for a review that did not run (closed, draft, nothing to review…). */
export function renderSkippedOutput(reason: string, detail: string): { title: string; summary: string } {
  return {
    title: plainText(`Review skipped: ${reason}`, 120),
    summary: sanitizeMarkdown(detail, 4_000) || 'Bulwark did not review this pull request.',
  };
}

/** Why Bulwark stopped working on a review for good (the queue gave up on its job, or found it lost). */
export type GaveUpKind =
  | { kind: 'shutdown' }
  | { kind: 'stalled' }
  | { kind: 'failed'; attempt: number }
  | { kind: 'superseded' }
  /** The check was left in progress by a job no queue holds any more (its process stopped, e.g. crashed). */
  | { kind: 'lost' };

const GAVE_UP_TEXT = {
  shutdown: ['Review stopped: Bulwark was shutting down', 'Bulwark was shutting down before this review could finish, and it will not be resumed.'],
  stalled: ['Review stopped: interrupted too often', 'The Bulwark process running this review stopped (restarted or crashed) more often than allowed, so it will not be run again.'],
  failed: ['Review stopped: its last attempt failed', ''],
  superseded: ['Review skipped: Superseded by a newer push', 'A newer commit of this pull request was pushed while this review waited to be retried; its review replaces this one.'],
  lost: ['Review stopped: interrupted', 'The Bulwark process running this review stopped (restarted or crashed) before it finished, and nothing is resuming it.'],
} as const satisfies Record<GaveUpKind['kind'], readonly [string, string]>;

/** How a reader asks for the review again (the `/review` command, the Re-run button of the check). */
export const GAVE_UP_RETRY_HINT = 'Comment `/review` on the pull request, or use **Re-run** on this check, to try again.';

/** The check output of a review Bulwark gave up on: what happened and how to retry (never left "in progress"). */
export function renderGaveUpOutput(reason: GaveUpKind): { title: string; summary: string } {
  const [title, what] = GAVE_UP_TEXT[reason.kind];
  const detail =
    reason.kind === 'failed'
      ? `Bulwark could not finish this review: attempt ${reason.attempt} failed and no attempts are left. The details are in Bulwark's logs.`
      : what;
  if (reason.kind === 'superseded') return { title, summary: detail };
  return { title, summary: [detail, `**How to retry:** ${GAVE_UP_RETRY_HINT}`].join('\n\n') };
}
