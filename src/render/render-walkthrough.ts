import { z } from 'zod';
import type { OwnCommentUpdate } from '../ports/pull-request-host.js';
import { entriesByArea, RISK_LEVELS, updateWalkthrough, WALKTHROUGH_LINE_MAX, WALKTHROUGH_MAX_FILES, walkthroughNoteSchema, walkthroughRisk, withoutPath } from '../review/walkthrough.js';
import type { RiskLevel, Walkthrough, WalkthroughEntry, WalkthroughUpdate } from '../review/walkthrough.js';
import type { WalkthroughArea } from '../review/walkthrough-area.js';
import { pluralise } from './count-by-severity.js';
import { isWalkthroughBody, readWalkthroughMarker, WALKTHROUGH_MARKER_MAX, walkthroughMarker } from './markers.js';
import { codeSpan, sanitizeInline } from './sanitize-text.js';

/**
 * The walkthrough comment, marker included, is at most this long: far below GitHub's 65,536 characters for a
 * comment, and short enough to read. Files are left out from the least risky up until it fits.
 */
export const WALKTHROUGH_COMMENT_MAX = 30_000;

const AREA_HEADINGS: Readonly<Record<WalkthroughArea, string>> = {
  routes: 'Routes and handlers',
  auth: 'Auth',
  data: 'Data access and migrations',
  config: 'Config and infrastructure',
  other: 'Other',
  tests: 'Tests',
};

const RISK_BADGES: Readonly<Record<RiskLevel, string>> = { high: '🔴 high', medium: '🟡 medium', low: '🟢 low' };

const SEPARATOR = '\n\n';
/** Longest path shown: a path is the pull request author's text, and a file's line is the point. */
const PATH_MAX = 200;

/**
 * The walkthrough as its comment: the risk level and the reasons that set it, the files by area with one line
 * each, what to test before merging, what it covers, and the marker that lets the next review update it. Every
 * text the model wrote is sanitised (no mention, link, HTML or marker gets through) and cut to one line.
 */
export function renderWalkthrough(walkthrough: Walkthrough, maxLength = WALKTHROUGH_COMMENT_MAX): string {
  let entries = walkthrough.entries;
  for (;;) {
    const shown = { ...walkthrough, entries };
    // The marker carries exactly what is shown, so the next update starts from what the reader saw.
    const marker = walkthroughMarker(toMarkerData(shown));
    const body = [HEADING, riskSection(shown), filesSection(shown), testsSection(shown), coverage(shown), marker].filter(Boolean).join(SEPARATOR);
    const excess = Math.max(body.length / maxLength, marker.length / WALKTHROUGH_MARKER_MAX);
    if (excess <= 1 || entries.length === 0) return body;
    // Entries are in risk order: the least risky go first, cut in proportion to the excess (a few renders at most).
    entries = entries.slice(0, Math.min(entries.length - 1, Math.floor(entries.length / excess)));
  }
}

const HEADING = '## 🛡️ Bulwark walkthrough';

function riskSection(walkthrough: Walkthrough): string {
  const risk = walkthroughRisk(walkthrough);
  if (risk.level === undefined) return '**Risk: not assessed.** The review gave no risk for these files.';
  const reasons = risk.reasons.map((reason) => `- ${RISK_BADGES[reason.level]} · ${line(reason.reason)} (${path(reason.path)})`);
  const head = `**Risk: ${RISK_BADGES[risk.level]}**${reasons.length > 0 ? ', set by:' : '. The review gave no reason for it.'}`;
  return [head, ...reasons].join('\n');
}

function filesSection(walkthrough: Walkthrough): string {
  const groups = entriesByArea(walkthrough).map(({ area, entries }) => [`**${AREA_HEADINGS[area]}**`, ...entries.map(fileLine)].join('\n'));
  return groups.join(SEPARATOR);
}

function fileLine(entry: WalkthroughEntry): string {
  const size = `+${entry.additions} −${entry.deletions}`;
  const change = entry.note ? `: ${line(entry.note.change)}` : '';
  return `- ${path(entry.path)} (${size})${change}`;
}

function testsSection(walkthrough: Walkthrough): string {
  const tests = walkthroughRisk(walkthrough).tests;
  if (tests.length === 0) return '';
  return ['**Test before merging**', ...tests.map((test) => `- ${line(test.test)} (${path(test.path)})`)].join('\n');
}

function coverage(walkthrough: Walkthrough): string {
  const described = walkthrough.entries.length;
  const total = Math.max(walkthrough.changedFiles, described);
  const rest = total > described ? ` Left out: files Bulwark does not review (lock, generated, vendored, excluded), files over its budget, and the least risky past the first ${WALKTHROUGH_MAX_FILES} or past what this comment holds.` : '';
  return `<sub>${described} of ${pluralise(total, 'changed file')} shown, by area, riskiest first.${rest} Updated for ${codeSpan(walkthrough.head.slice(0, 12))}; later reviews of this pull request edit this comment.</sub>`;
}

function line(text: string): string {
  return sanitizeInline(text, WALKTHROUGH_LINE_MAX);
}

function path(text: string): string {
  return codeSpan(text.length > PATH_MAX ? `…${text.slice(-(PATH_MAX - 1))}` : text);
}

/** The marker's payload: short keys, the model's texts as they were masked (sanitised only when rendered). */
function toMarkerData(walkthrough: Walkthrough): Record<string, unknown> {
  return {
    v: 1,
    head: walkthrough.head,
    changed: walkthrough.changedFiles,
    files: walkthrough.entries.map((entry) => ({
      p: entry.path,
      a: entry.additions,
      d: entry.deletions,
      ...(entry.note ? { c: entry.note.change, r: entry.note.risk, ...(entry.note.riskReason ? { why: entry.note.riskReason } : {}), ...(entry.note.test ? { t: entry.note.test } : {}) } : {}),
    })),
  };
}

const count = z.number().int().nonnegative().max(1_000_000);

const markerDataSchema = z.object({
  v: z.literal(1),
  head: z.string().min(1).max(100),
  changed: count,
  files: z
    .array(
      z.object({
        p: z.string().min(1).max(4096),
        a: count,
        d: count,
        c: z.string().optional(),
        r: z.enum(RISK_LEVELS).optional(),
        why: z.string().optional(),
        t: z.string().optional(),
      }),
    )
    .max(WALKTHROUGH_MAX_FILES),
});

/**
 * The walkthrough an earlier review left in its comment; undefined when the body has none that reads (then the
 * next update starts afresh). Callers pass only Bulwark's own comments: the marker proves nothing about its author.
 */
export function readWalkthrough(body: string): Walkthrough | undefined {
  const parsed = markerDataSchema.safeParse(readWalkthroughMarker(body));
  if (!parsed.success) return undefined;
  const entries = parsed.data.files.map((file): WalkthroughEntry => {
    const note = file.c !== undefined && file.r !== undefined ? walkthroughNoteSchema.safeParse({ path: file.p, change: file.c, risk: file.r, riskReason: file.why, test: file.t }) : undefined;
    const entry = { path: file.p, additions: file.a, deletions: file.d };
    return note?.success ? { ...entry, note: withoutPath(note.data) } : entry;
  });
  return { head: parsed.data.head, entries, changedFiles: parsed.data.changed };
}

/**
 * The walkthrough comment, kept up to date (PullRequestHost.upsertOwnComment): the first review posts it, later
 * ones edit it with what they add (updateWalkthrough), so a pull request has one walkthrough, never a new one per
 * push.
 */
export function walkthroughComment(update: WalkthroughUpdate): OwnCommentUpdate {
  return {
    matches: isWalkthroughBody,
    render: (previous) => renderWalkthrough(updateWalkthrough(previous === undefined ? undefined : readWalkthrough(previous), update)),
  };
}
