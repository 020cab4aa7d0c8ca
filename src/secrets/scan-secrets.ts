import type { DiffFile, DiffLine, Finding } from '../review/types.js';
import { placeholder, ruleShortName, secretKind } from './secret-kinds.js';
import { findSecrets, lintKindForPath, type LintKind, type SecretMatch, type Span } from './secretlint-scanner.js';
import { lastAtOrBefore } from './last-at-or-before.js';

/**
 * "Secrets never leave": everything of a pull request that reaches the model passes through here first.
 * secretlint (recommended preset) scans the diff lines of every file, the hunk headers, the title and the
 * description; each match is replaced by a placeholder such as `[REDACTED secret: github]`, and a secret on
 * an added line becomes a critical finding that names its kind, never its value.
 *
 * Decisions:
 * - Added and context lines are scanned as the new side of the file, deleted and context lines as the old
 *   side, so a multi-line secret (a private key) is seen whole on either side; every line a match touches is
 *   masked, whatever its kind.
 * - A secret on an added line: `critical`, side RIGHT, at the first added line the match touches.
 * - A secret on a deleted line that is not still present on the new side: `high`, side LEFT (removing it
 *   does not un-leak it: it stays in history, so it must be rotated). A secret that is only on context lines
 *   was there before the PR: masked, not reported.
 * - One finding per (file, side, line, secretlint rule).
 * - Every value a rule captured is also masked wherever else it appears in the PR (the same token pasted
 *   into the description, or on a line the rule's pattern did not match).
 * - File paths are not masked (findings and comments are anchored by path).
 * - If secretlint fails, this rejects: the caller must then not send the PR to the model (fail closed).
 */

export interface SecretScan {
  /** The same files, with secrets in added, context and deleted lines and in hunk headers masked. */
  files: DiffFile[];
  title: string;
  body: string;
  /** One per (file, side, line, secretlint rule); the values are never in them. */
  findings: Finding[];
  /** How many places were masked (a place may hold several overlapping matches). */
  count: number;
}

/** The security-checklist rule about secrets handling (agents/skills/security-checklist.md). */
export const SECRETS_RULE = 'SEC-DATA-3';

/** Values masked wherever else they appear; more than this and only the reported matches are masked. */
const MAX_PROPAGATED_VALUES = 100;
const MIN_PROPAGATED_LENGTH = 8;

export async function scanSecrets(input: { files: DiffFile[]; title: string; body: string }): Promise<SecretScan> {
  // Every string that may be masked has a place (an id): the title, the description, then file by file its lines
  // in order and its hunk headers. A context line is one place, on the new and the old side. Marks and masked texts
  // are kept by place, for the few places that have any: no object per line (100,000 of them were as much memory
  // as the diff's own lines), and no Map keyed by 100,000 line objects (the costliest part of the scan once).
  const segments: Segment[] = [newSegment('plain', 'text', undefined, [input.title], [TITLE]), newSegment('plain', 'text', undefined, [input.body], [BODY])];
  /** The id of each file's first line; its hunk headers follow its last line. */
  const firstIds: number[] = [];
  let next = BODY + 1;

  for (const file of input.files) {
    const kind = lintKindForPath(file.path);
    firstIds.push(next);
    const newSide: DiffLine[] = [];
    const newIds: number[] = [];
    const oldSide: DiffLine[] = [];
    const oldIds: number[] = [];
    let deletes = false;
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        const id = next++;
        if (line.kind !== 'del') {
          newSide.push(line);
          newIds.push(id);
        }
        if (line.kind !== 'add') {
          oldSide.push(line);
          oldIds.push(id);
        }
        if (line.kind === 'del') deletes = true;
      }
    }
    segments.push(newSegment(kind, 'new', file.path, newSide, newIds));
    if (deletes) segments.push(newSegment(kind, 'old', file.path, oldSide, oldIds));
    const headers = file.hunks.map((hunk) => hunk.header);
    segments.push(newSegment('plain', 'text', file.path, headers, headers.map(() => next++)));
  }

  const marks: Marks = new Map();
  const located = await locateSecrets(segments, marks);
  const findings = findingsOf(located);
  const { count, masked } = applyMasks(marks);

  // Nothing masked (the usual case): the files go on as they came, without walking every line again. Otherwise
  // only the files with a masked place are walked.
  const touched = new Set<number>();
  for (const id of masked.keys()) if (id > BODY) touched.add(fileOf(firstIds, id));
  const files =
    count === 0
      ? [...input.files]
      : input.files.map((file, fileIndex) => (touched.has(fileIndex) ? maskFile(file, firstIds[fileIndex] ?? 0, masked) : file));

  return { files, title: masked.get(TITLE) ?? input.title, body: masked.get(BODY) ?? input.body, findings, count };
}

/** Masks secrets in any other PR text (commit messages, …). `count` is the number of places masked. */
export async function maskSecretsInText(text: string): Promise<{ text: string; count: number }> {
  const marks: Marks = new Map();
  await locateSecrets([newSegment('plain', 'text', undefined, [text], [TITLE])], marks);
  const { count, masked } = applyMasks(marks);
  return { text: masked.get(TITLE) ?? text, count };
}

/** The file with its masked places replaced; hunks and lines without any are the same objects. */
function maskFile(file: DiffFile, firstId: number, masked: Map<number, string>): DiffFile {
  let id = firstId;
  let headerId = firstId + file.hunks.reduce((sum, hunk) => sum + hunk.lines.length, 0);
  let changed = false;
  const hunks = file.hunks.map((hunk) => {
    const header = masked.get(headerId++) ?? hunk.header;
    let hunkChanged = header !== hunk.header;
    const lines = hunk.lines.map((line) => {
      const text = masked.get(id++);
      if (text === undefined || text === line.text) return line;
      hunkChanged = true;
      return { ...line, text };
    });
    if (!hunkChanged) return hunk;
    changed = true;
    return { ...hunk, header, lines };
  });
  return changed ? { ...file, hunks } : file;
}

/** The index of the file an id of a line or hunk header belongs to: the last whose first id is at or before it. */
function fileOf(firstIds: number[], id: number): number {
  return lastAtOrBefore(firstIds, id);
}

// ---------------------------------------------------------------------------------------------------------

const TITLE = 0;
const BODY = 1;

/** What is scanned: a diff line, or a plain text (a hunk header, the title, the description). */
type Item = DiffLine | string;

const textOfItem = (item: Item): string => (typeof item === 'string' ? item : item.text);

interface Mark extends Span {
  label: string;
}

/** The marks of each place that has any, with the place's text. */
type Marks = Map<number, { text: string; marks: Mark[] }>;

type SegmentSide = 'new' | 'old' | 'text';

/**
 * Items scanned together as one text, joined with '\n' (a file's side reads like the file itself). The text is
 * only built where a match needs it (textOf): the scanner reads the items' texts as they are.
 */
interface Segment {
  kind: LintKind;
  side: SegmentSide;
  path: string | undefined;
  items: Item[];
  /** The place of each item. */
  ids: number[];
  /** Offset of each item in the segment's text, once startsOf computed them. */
  starts?: number[];
  /** The joined text, once textOf built it. */
  text?: string;
}

interface LocatedMatch {
  segment: Segment;
  match: SecretMatch;
  /** Items the match touches, in text order. */
  touched: Item[];
  /** The matched text (sensitive; for comparing old and new side only). */
  matched: string;
}

function newSegment(kind: LintKind, side: SegmentSide, path: string | undefined, items: Item[], ids: number[]): Segment {
  return { kind, side, path, items, ids };
}

function startsOf(segment: Segment): number[] {
  if (segment.starts) return segment.starts;
  const starts: number[] = [];
  let offset = 0;
  for (const item of segment.items) {
    starts.push(offset);
    offset += textOfItem(item).length + 1;
  }
  return (segment.starts = starts);
}

/** The segment's text: its items joined with '\n'. */
function joined(segment: Segment): string {
  return segment.items.map(textOfItem).join('\n');
}

/** The segment's text, kept: for segments with a match (few). */
function textOf(segment: Segment): string {
  return (segment.text ??= joined(segment));
}

function mark(marks: Marks, segment: Segment, index: number, value: Mark): void {
  const id = segment.ids[index] ?? -1;
  const entry = marks.get(id);
  if (entry) entry.marks.push(value);
  else marks.set(id, { text: textOfItem(segment.items[index] ?? ''), marks: [value] });
}

/** Lints all segments, marks every match on the places it touches, then marks captured values elsewhere. */
async function locateSecrets(segments: Segment[], marks: Marks): Promise<LocatedMatch[]> {
  const results = await findSecrets(segments.map((segment) => ({ parts: segment.items, kind: segment.kind })));
  const located: LocatedMatch[] = [];
  const values = new Map<string, string>();
  segments.forEach((segment, index) => {
    for (const match of results[index] ?? []) {
      const label = placeholder(match.ruleId);
      const touched: number[] = [];
      for (const span of match.spans) {
        for (const piece of piecesOf(segment, span)) {
          mark(marks, segment, piece.index, { start: piece.start, end: piece.end, label });
          if (!touched.includes(piece.index)) touched.push(piece.index);
        }
      }
      const text = textOf(segment);
      const slices = match.spans.map((span) => text.slice(span.start, span.end));
      for (const value of [...match.values, ...slices]) {
        if (value.length >= MIN_PROPAGATED_LENGTH && !/[\r\n]/.test(value) && !values.has(value)) values.set(value, label);
      }
      located.push({ segment, match, touched: touched.map((at) => segment.items[at] ?? ''), matched: slices.join('\n') });
    }
  });
  const propagated = [...values].slice(0, MAX_PROPAGATED_VALUES);
  if (propagated.length > 0) {
    for (const segment of segments) {
      // Built for this walk only, unless a match already kept it.
      const text = segment.text ?? joined(segment);
      for (const [value, label] of propagated) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
          for (const piece of piecesOf(segment, { start: at, end: at + value.length })) {
            mark(marks, segment, piece.index, { start: piece.start, end: piece.end, label });
          }
        }
      }
    }
  }
  return located;
}

/** The parts of a segment span that fall on each item (the joining '\n's belong to none). */
function piecesOf(segment: Segment, span: Span): { index: number; start: number; end: number }[] {
  const pieces: { index: number; start: number; end: number }[] = [];
  const starts = startsOf(segment);
  for (let index = lastAtOrBefore(starts, span.start); index < segment.items.length; index += 1) {
    const start = starts[index] ?? 0;
    const item = segment.items[index];
    if (item === undefined || start >= span.end) break;
    const from = Math.max(span.start, start) - start;
    const to = Math.min(span.end, start + textOfItem(item).length) - start;
    if (to > from) pieces.push({ index, start: from, end: to });
  }
  return pieces;
}

/** Replaces the marked places of every place that has marks; returns how many places were masked, and the texts. */
function applyMasks(marks: Marks): { count: number; masked: Map<number, string> } {
  let count = 0;
  const masked = new Map<number, string>();
  for (const [id, entry] of marks) {
    const { text, places } = mask(entry.text, entry.marks);
    masked.set(id, text);
    count += places;
  }
  return { count, masked };
}

/** The text with its marks replaced, and how many places that masked. */
function mask(original: string, marks: Mark[]): { text: string; places: number } {
  const sorted = [...marks].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Mark[] = [];
  for (const mark of sorted) {
    const last = merged.at(-1);
    if (last && mark.start < last.end) last.end = Math.max(last.end, mark.end);
    else merged.push({ ...mark });
  }
  let text = '';
  let position = 0;
  for (const mark of merged) {
    text += original.slice(position, mark.start) + mark.label;
    position = mark.end;
  }
  return { text: text + original.slice(position), places: merged.length };
}

// ---------------------------------------------------------------------------------------------------------

interface Pending {
  path: string;
  side: 'RIGHT' | 'LEFT';
  line: number;
  ruleId: string;
  messageIds: string[];
}

function findingsOf(located: LocatedMatch[]): Finding[] {
  const stillThere = new Set<string>();
  for (const { segment, match, matched } of located) {
    if (segment.side !== 'new') continue;
    stillThere.add(matched);
    for (const value of match.values) stillThere.add(value);
  }
  const pending = new Map<string, Pending>();
  const add = (path: string, side: Pending['side'], line: number, match: SecretMatch): void => {
    const key = JSON.stringify([path, side, line, match.ruleId]);
    const existing = pending.get(key);
    if (existing) {
      if (!existing.messageIds.includes(match.messageId)) existing.messageIds.push(match.messageId);
    } else {
      pending.set(key, { path, side, line, ruleId: match.ruleId, messageIds: [match.messageId] });
    }
  };
  for (const { segment, match, touched, matched } of located) {
    if (segment.path === undefined) continue;
    if (segment.side === 'new') {
      const added = touched.find((item): item is DiffLine => typeof item !== 'string' && item.kind === 'add')?.newLine;
      if (added !== undefined) add(segment.path, 'RIGHT', added, match);
    } else if (segment.side === 'old') {
      const removed = touched.find((item): item is DiffLine => typeof item !== 'string' && item.kind === 'del')?.oldLine;
      const kept = stillThere.has(matched) || match.values.some((value) => stillThere.has(value));
      if (removed !== undefined && !kept) add(segment.path, 'LEFT', removed, match);
    }
  }
  return [...pending.values()].map((entry) => (entry.side === 'RIGHT' ? committedFinding(entry) : removedFinding(entry)));
}

function describe(entry: Pending): { name: string; what: string; rule: string } {
  const kinds = entry.messageIds.map((messageId) => secretKind(entry.ruleId, messageId));
  const what = kinds.map((kind) => kind.what);
  const joined = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1) ?? ''}` : (what[0] ?? 'a secret');
  return { name: kinds[0]?.name ?? 'secret', what: joined, rule: ruleShortName(entry.ruleId) };
}

function committedFinding(entry: Pending): Finding {
  const { name, what, rule } = describe(entry);
  return {
    path: entry.path,
    line: entry.line,
    side: 'RIGHT',
    severity: 'critical',
    category: 'security',
    rule: SECRETS_RULE,
    title: `Secret committed: ${name}`,
    body: [
      `This line adds what looks like ${what} (found by secretlint's \`${rule}\` rule). Bulwark masked it before the review, so the value was not sent to the model and is not repeated here.`,
      '',
      "**Why it matters:** once pushed, the value is in this branch's history and in every clone and fork, even if the line is removed in a later commit. Treat it as leaked: revoke or rotate it now, then check the provider's access logs for use you don't recognise.",
      '',
      "**How to fix:** read it at runtime from the platform's secret store or an environment variable, and commit only the variable's name (or an obvious placeholder in an example file). In tests, build fake values at test time instead of committing them.",
    ].join('\n'),
  };
}

function removedFinding(entry: Pending): Finding {
  const { name, what, rule } = describe(entry);
  return {
    path: entry.path,
    line: entry.line,
    side: 'LEFT',
    severity: 'high',
    category: 'security',
    rule: SECRETS_RULE,
    title: `Removed secret is still in history: ${name}`,
    body: [
      `This line removes what looks like ${what} (found by secretlint's \`${rule}\` rule). Bulwark masked it before the review, so the value was not sent to the model and is not repeated here.`,
      '',
      "**Why it matters:** removing the line does not un-leak the value: it stays in the repository's history and in every clone and fork.",
      '',
      "**How to fix:** unless it has already been revoked, rotate it now, and load its replacement from the platform's secret store or an environment variable.",
    ].join('\n'),
  };
}
