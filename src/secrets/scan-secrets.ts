import type { DiffFile, DiffLine, Finding } from '../review/types.js';
import { placeholder, ruleShortName, secretKind } from './secret-kinds.js';
import { findSecrets, lintKindForPath, type LintKind, type SecretMatch, type Span } from './secretlint-scanner.js';

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
  const title = newTarget(input.title);
  const body = newTarget(input.body);
  // Targets by position (file, hunk, line), not in a Map keyed by the line objects: hashing 100,000 lines as Map
  // keys was the costliest part of the scan. A context line is one target shared by the new and the old side.
  const fileTargets: { lines: Target[][]; headers: Target[] }[] = [];
  const segments: Segment[] = [newSegment('plain', 'text', undefined, [title]), newSegment('plain', 'text', undefined, [body])];

  for (const file of input.files) {
    const kind = lintKindForPath(file.path);
    const lines = file.hunks.map((hunk) => hunk.lines.map((line) => newTarget(line.text, line)));
    const newSide: Target[] = [];
    const oldSide: Target[] = [];
    let deletes = false;
    for (const target of lines.flat()) {
      const lineKind = target.line?.kind;
      if (lineKind !== 'del') newSide.push(target);
      if (lineKind !== 'add') oldSide.push(target);
      if (lineKind === 'del') deletes = true;
    }
    segments.push(newSegment(kind, 'new', file.path, newSide));
    if (deletes) segments.push(newSegment(kind, 'old', file.path, oldSide));
    const headers = file.hunks.map((hunk) => newTarget(hunk.header));
    segments.push(newSegment('plain', 'text', file.path, headers));
    fileTargets.push({ lines, headers });
  }

  const located = await locateSecrets(segments);
  const findings = findingsOf(located);
  const count = applyMasks([[title, body], ...fileTargets.flatMap((targets) => [...targets.lines, targets.headers])]);

  // Nothing masked (the usual case): the files go on as they came, without walking every line again.
  const files =
    count === 0
      ? [...input.files]
      : input.files.map((file, fileIndex) => {
          const targets = fileTargets[fileIndex];
          let changed = false;
          const hunks = file.hunks.map((hunk, hunkIndex) => {
            const header = targets?.headers[hunkIndex]?.masked ?? hunk.header;
            let hunkChanged = header !== hunk.header;
            const lines = hunk.lines.map((line, lineIndex) => {
              const masked = targets?.lines[hunkIndex]?.[lineIndex]?.masked;
              if (masked === undefined || masked === line.text) return line;
              hunkChanged = true;
              return { ...line, text: masked };
            });
            if (!hunkChanged) return hunk;
            changed = true;
            return { ...hunk, header, lines };
          });
          return changed ? { ...file, hunks } : file;
        });

  return { files, title: title.masked ?? input.title, body: body.masked ?? input.body, findings, count };
}

/** Masks secrets in any other PR text (commit messages, …). `count` is the number of places masked. */
export async function maskSecretsInText(text: string): Promise<{ text: string; count: number }> {
  const target = newTarget(text);
  await locateSecrets([newSegment('plain', 'text', undefined, [target])]);
  const count = applyMasks([[target]]);
  return { text: target.masked ?? text, count };
}

// ---------------------------------------------------------------------------------------------------------

/** One string that may be masked: a diff line, a hunk header, the title or the description. */
interface Target {
  text: string;
  line?: DiffLine | undefined;
  marks: Mark[];
  /** Set by applyMasks. */
  masked?: string;
}

interface Mark extends Span {
  label: string;
}

type SegmentSide = 'new' | 'old' | 'text';

/** Targets scanned together as one text, joined with '\n' (a file's side reads like the file itself). */
interface Segment {
  kind: LintKind;
  side: SegmentSide;
  path: string | undefined;
  targets: Target[];
  /** Offset of each target in `text`. */
  starts: number[];
  text: string;
}

interface LocatedMatch {
  segment: Segment;
  match: SecretMatch;
  /** Targets the match touches, in text order. */
  touched: Target[];
  /** The matched text (sensitive; for comparing old and new side only). */
  matched: string;
}

function newTarget(text: string, line?: DiffLine): Target {
  return { text, line, marks: [] };
}

function newSegment(kind: LintKind, side: SegmentSide, path: string | undefined, targets: Target[]): Segment {
  const starts: number[] = [];
  let offset = 0;
  for (const target of targets) {
    starts.push(offset);
    offset += target.text.length + 1;
  }
  return { kind, side, path, targets, starts, text: targets.map((target) => target.text).join('\n') };
}

/** Lints all segments, marks every match on the targets it touches, then marks captured values elsewhere. */
async function locateSecrets(segments: Segment[]): Promise<LocatedMatch[]> {
  const results = await findSecrets(segments.map((segment) => ({ text: segment.text, kind: segment.kind })));
  const located: LocatedMatch[] = [];
  const values = new Map<string, string>();
  segments.forEach((segment, index) => {
    for (const match of results[index] ?? []) {
      const label = placeholder(match.ruleId);
      const touched: Target[] = [];
      for (const span of match.spans) {
        for (const piece of piecesOf(segment, span)) {
          piece.target.marks.push({ start: piece.start, end: piece.end, label });
          if (!touched.includes(piece.target)) touched.push(piece.target);
        }
      }
      const slices = match.spans.map((span) => segment.text.slice(span.start, span.end));
      for (const value of [...match.values, ...slices]) {
        if (value.length >= MIN_PROPAGATED_LENGTH && !/[\r\n]/.test(value) && !values.has(value)) values.set(value, label);
      }
      located.push({ segment, match, touched, matched: slices.join('\n') });
    }
  });
  const propagated = [...values].slice(0, MAX_PROPAGATED_VALUES);
  if (propagated.length > 0) {
    for (const segment of segments) {
      for (const [value, label] of propagated) {
        for (let at = segment.text.indexOf(value); at !== -1; at = segment.text.indexOf(value, at + 1)) {
          for (const piece of piecesOf(segment, { start: at, end: at + value.length })) {
            piece.target.marks.push({ start: piece.start, end: piece.end, label });
          }
        }
      }
    }
  }
  return located;
}

/** The parts of a segment span that fall on each target (the joining '\n's belong to none). */
function piecesOf(segment: Segment, span: Span): { target: Target; start: number; end: number }[] {
  const pieces: { target: Target; start: number; end: number }[] = [];
  for (let index = targetAtOrBefore(segment.starts, span.start); index < segment.targets.length; index += 1) {
    const start = segment.starts[index] ?? 0;
    const target = segment.targets[index];
    if (!target || start >= span.end) break;
    const from = Math.max(span.start, start) - start;
    const to = Math.min(span.end, start + target.text.length) - start;
    if (to > from) pieces.push({ target, start: from, end: to });
  }
  return pieces;
}

function targetAtOrBefore(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  let found = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((starts[middle] ?? 0) <= offset) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** Replaces the marked places of every target (once per target); returns how many places were masked. */
function applyMasks(groups: Iterable<Target>[]): number {
  let count = 0;
  const done = new Set<Target>();
  for (const targets of groups) {
    for (const target of targets) {
      if (target.marks.length === 0 || done.has(target)) continue;
      done.add(target);
      count += mask(target);
    }
  }
  return count;
}

/** Sets `masked` from the target's marks; returns how many places it masked. */
function mask(target: Target): number {
  const marks = [...target.marks].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Mark[] = [];
  for (const mark of marks) {
    const last = merged.at(-1);
    if (last && mark.start < last.end) last.end = Math.max(last.end, mark.end);
    else merged.push({ ...mark });
  }
  let text = '';
  let position = 0;
  for (const mark of merged) {
    text += target.text.slice(position, mark.start) + mark.label;
    position = mark.end;
  }
  target.masked = text + target.text.slice(position);
  return merged.length;
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
      const added = touched.find((target) => target.line?.kind === 'add')?.line?.newLine;
      if (added !== undefined) add(segment.path, 'RIGHT', added, match);
    } else if (segment.side === 'old') {
      const removed = touched.find((target) => target.line?.kind === 'del')?.line?.oldLine;
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
