import { findQuote, quoteMatches } from './quote-anchor.js';
import type { QuoteLines } from './quote-anchor.js';
import type {
  AnchoredFinding,
  AnchorResult,
  DiffFile,
  Finding,
  Side,
  UnanchoredFinding,
  UnanchoredReason,
} from './types.js';

/**
 * Proves every finding's lines are part of the pull request's diff before anything is posted.
 *
 * GitHub rejects the WHOLE review (422) if a single comment's anchor is off: "Pull request review thread line must
 * be part of the diff", "start line must be part of the same hunk", "start line must precede the end line", "diff
 * hunk can't be blank" (https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request). So the
 * rule is: anchor as precisely as can be proven valid, and otherwise never send the finding inline: it goes to
 * `unanchored` with a reason (and is listed in the review body), it is never dropped.
 *
 * Decisions:
 * - Paths: a leading './' or '/' is ignored. A path that is not a file of the diff (including a renamed file's old
 *   path) is 'unknown-file': review comments always address the new path.
 * - Side: RIGHT unless given. Without a side, a line that is not a RIGHT line of the diff but is a deleted line is
 *   taken as LEFT (the model is pointing at removed code). A context line is never inferred as LEFT: its old
 *   number names a different line than the one the model saw under that number on the new side.
 * - Range `line`..`end_line` (start..end as the model writes it): posted as `startLine`..`line` when both ends are
 *   lines of the same side in the same hunk. Otherwise, if the end line alone is provable, it is posted as a single
 *   line on the end line (GitHub shows a range's comment at its last line too). If the end is not in the diff
 *   either: 'range-crosses-hunks' when the start is (the range runs out of the diff), else 'line-not-in-diff'.
 * - Reversed range (`end_line` < `line`): we cannot tell which number is wrong, so only `line`, the one the
 *   schema requires, is tried as a single line; failing that, 'range-reversed'.
 * - A `line` that is not a positive integer (a file-level finding, FILE_LEVEL_LINE) names no line of the diff:
 *   'line-not-in-diff', so it goes to the review body like any finding that cannot be anchored.
 * - An `end_line` that is not a positive integer is ignored: the finding is tried as the single line `line`.
 * - Suggestions are dropped (the finding is kept) when anchored on LEFT, since a suggested change replaces lines of
 *   the head and deleted lines are not in the head, and whenever a range fell back to one line: the suggestion
 *   was written to replace the whole range, and applying it to a single line would corrupt the code.
 * - The quote (`existing_code`) is checked against the lines the anchor names (quote-anchor.ts): a model often
 *   quotes the right code and miscounts its line. When the quote is not there but is found elsewhere in the
 *   file's diff, the finding moves to the quoted lines (the nearest match); when it is nowhere in the diff, the
 *   finding's premise cannot be shown on a line: 'quote-not-in-diff', listed in the body, never inline.
 * - `shown`, the prompt copies the model read, may hold unchanged lines widened around the hunks (widen-hunks.ts).
 *   They are not lines of GitHub's diff, so never an anchor: a finding on one whose quote is there (at the cited
 *   lines, or elsewhere in that context when it is nowhere in the diff) is listed in the body as 'line-not-in-diff',
 *   its quote found, rather than moved to some diff line that happens to read the same.
 */
export function anchorFindings(findings: Finding[], files: DiffFile[], shown: readonly DiffFile[] = []): AnchorResult {
  // Only the files findings cite are indexed: a 3,000-file review with 50 findings indexes a few files, not all.
  const byPath = new Map(files.map((file) => [file.path, file] as const));
  const shownByPath = new Map(shown.map((file) => [file.path, file] as const));
  const indexes = new Map<string, FileIndex>();
  const indexOf = (path: string): FileIndex | undefined => {
    let index = indexes.get(path);
    const file = byPath.get(path);
    if (index === undefined && file !== undefined) {
      index = indexFile(file, shownByPath.get(path));
      indexes.set(path, index);
    }
    return index;
  };
  const anchored: AnchoredFinding[] = [];
  const unanchored: UnanchoredFinding[] = [];

  for (const finding of findings) {
    const path = normalisePath(finding.path);
    const index = indexOf(path);
    const outcome = index === undefined ? 'unknown-file' : checkQuote({ ...finding, path }, index, anchorFinding({ ...finding, path }, index));
    if (typeof outcome === 'string') unanchored.push({ ...finding, path, reason: outcome });
    else anchored.push(outcome);
  }
  return { anchored, unanchored };
}

/** For each side, which hunk (by position) each line number of the diff belongs to. */
interface FileIndex {
  hunkOf: Record<Side, Map<number, number>>;
  /** Old line numbers of deleted lines: the only lines a side-less finding may be moved to LEFT for. */
  deleted: Set<number>;
  /** Each line's text by number, per side. */
  text: Record<Side, Map<number, string>>;
  /** Lines the pull request added (RIGHT) or deleted (LEFT). */
  changed: Record<Side, Set<number>>;
  /** Each hunk's lines as a quote can be searched in: RIGHT (added and context) and LEFT (deleted) runs. */
  quoteLines: QuoteLines[];
  /** The widened context the model was shown: its text by head line number, and its runs. */
  context: { text: Map<number, string>; runs: QuoteLines[] };
}

function indexFile(file: DiffFile, shown: DiffFile | undefined): FileIndex {
  const index: FileIndex = {
    hunkOf: { RIGHT: new Map(), LEFT: new Map() },
    deleted: new Set(),
    text: { RIGHT: new Map(), LEFT: new Map() },
    changed: { RIGHT: new Set(), LEFT: new Set() },
    quoteLines: [],
    context: { text: new Map(), runs: [] },
  };
  for (const hunk of shown?.hunks ?? []) {
    let run: QuoteLines | undefined;
    for (const line of hunk.lines) {
      if (line.widened !== true || line.newLine === undefined) {
        run = undefined;
        continue;
      }
      index.context.text.set(line.newLine, line.text);
      if (run === undefined) index.context.runs.push((run = { side: 'RIGHT', lines: [] }));
      run.lines.push({ number: line.newLine, text: line.text });
    }
  }
  file.hunks.forEach((hunk, position) => {
    const right: QuoteLines = { side: 'RIGHT', lines: [] };
    const left: QuoteLines = { side: 'LEFT', lines: [] };
    for (const line of hunk.lines) {
      if (line.newLine !== undefined && line.kind !== 'del') {
        index.hunkOf.RIGHT.set(line.newLine, position);
        index.text.RIGHT.set(line.newLine, line.text);
        right.lines.push({ number: line.newLine, text: line.text });
        if (line.kind === 'add') index.changed.RIGHT.add(line.newLine);
      }
      if (line.oldLine !== undefined && line.kind !== 'add') {
        index.hunkOf.LEFT.set(line.oldLine, position);
        index.text.LEFT.set(line.oldLine, line.text);
      }
      if (line.kind === 'del' && line.oldLine !== undefined) {
        index.deleted.add(line.oldLine);
        index.changed.LEFT.add(line.oldLine);
        left.lines.push({ number: line.oldLine, text: line.text });
      }
    }
    index.quoteLines.push(right, left);
  });
  return index;
}

/**
 * The anchor against the quote: kept when the quote is at the anchored lines (or there is no quote: Bulwark's
 * own findings); moved to the quoted lines when they are elsewhere in the file's diff; otherwise the finding
 * cannot be shown where its evidence is.
 */
function checkQuote(finding: Finding, index: FileIndex, outcome: AnchoredFinding | UnanchoredReason): AnchoredFinding | UnanchoredReason {
  const quote = finding.existing_code;
  // A file-level finding (no line) is about the file as a whole: its quote does not make it a line's.
  if (quote === undefined || quote.trim() === '' || !isLineNumber(finding.line)) return outcome;
  if (typeof outcome !== 'string') {
    const first = outcome.startLine ?? outcome.line;
    const lines = range(first, outcome.line).map((number) => index.text[outcome.side].get(number) ?? '');
    if (quoteMatches(quote, lines)) return outcome;
  }
  if (quotedInContext(quote, finding, index)) return 'line-not-in-diff';
  const found = findQuote(quote, index.quoteLines, finding.line, finding.side);
  if (found === undefined) {
    if (findQuote(quote, index.context.runs, finding.line, 'RIGHT') !== undefined) return 'line-not-in-diff';
    return typeof outcome === 'string' && outcome !== 'line-not-in-diff' ? outcome : 'quote-not-in-diff';
  }
  const moved: Finding = { ...finding, side: found.side, line: found.first, end_line: found.last === found.first ? undefined : found.last };
  const anchored = anchorFinding(moved, index);
  return typeof anchored === 'string' ? anchored : { ...anchored, reanchored: true };
}

const MAX_CONTEXT_RANGE = 200;

/** The cited lines include widened context (RIGHT) and the quote is the code there. */
function quotedInContext(quote: string, finding: Finding, index: FileIndex): boolean {
  if (finding.side === 'LEFT' || index.context.text.size === 0) return false;
  const end = finding.end_line;
  // A range is read as written only when it is one a hunk could hold (the model's end_line is not trusted).
  const last = end !== undefined && isLineNumber(end) && end >= finding.line && end - finding.line <= MAX_CONTEXT_RANGE ? end : finding.line;
  const cited = range(finding.line, last);
  if (!cited.some((number) => index.context.text.has(number))) return false;
  return quoteMatches(quote, cited.map((number) => index.context.text.get(number) ?? index.text.RIGHT.get(number) ?? ''));
}

function range(first: number, last: number): number[] {
  const numbers: number[] = [];
  for (let number = first; number <= last; number += 1) numbers.push(number);
  return numbers;
}

function normalisePath(path: string): string {
  return path.replace(/^(?:\.?\/)+/, '');
}

function anchorFinding(finding: Finding, index: FileIndex): AnchoredFinding | UnanchoredReason {
  const { line, end_line: end } = finding;
  if (!isLineNumber(line)) return 'line-not-in-diff';
  if (end === undefined || end === line) return anchorLine(finding, index, line, 'keep') ?? 'line-not-in-diff';
  if (!isLineNumber(end)) return anchorLine(finding, index, line, 'drop') ?? 'line-not-in-diff';
  if (end < line) return anchorLine(finding, index, line, 'drop') ?? 'range-reversed';
  return anchorRange(finding, index, line, end);
}

function anchorRange(finding: Finding, index: FileIndex, start: number, end: number): AnchoredFinding | UnanchoredReason {
  const side = finding.side ?? inferSide(index, end);
  const endHunk = side === undefined ? undefined : index.hunkOf[side].get(end);
  if (side !== undefined && endHunk !== undefined && index.hunkOf[side].get(start) === endHunk) {
    return toAnchored(finding, index, side, end, start, finding.suggestion);
  }
  const fallback = anchorLine(finding, index, end, 'drop');
  if (fallback !== undefined) return fallback;
  const startSide = finding.side ?? inferSide(index, start);
  return startSide !== undefined && index.hunkOf[startSide].has(start) ? 'range-crosses-hunks' : 'line-not-in-diff';
}

/** Whether a single-line anchor keeps the suggestion: only when the finding was a single line to begin with. */
type SuggestionPolicy = 'keep' | 'drop';

function anchorLine(
  finding: Finding,
  index: FileIndex,
  line: number,
  suggestion: SuggestionPolicy,
): AnchoredFinding | undefined {
  const side = finding.side ?? inferSide(index, line);
  if (side === undefined || !index.hunkOf[side].has(line)) return undefined;
  return toAnchored(finding, index, side, line, undefined, suggestion === 'keep' ? finding.suggestion : undefined);
}

/** RIGHT when the line is a line of the head in the diff, LEFT when it is only a deleted line, else unknown. */
function inferSide(index: FileIndex, line: number): Side | undefined {
  if (index.hunkOf.RIGHT.has(line)) return 'RIGHT';
  if (index.deleted.has(line)) return 'LEFT';
  return undefined;
}

function toAnchored(
  finding: Finding,
  index: FileIndex,
  side: Side,
  line: number,
  startLine: number | undefined,
  suggestion: string | undefined,
): AnchoredFinding {
  const first = startLine ?? line;
  const lines = range(first, line);
  return {
    ...finding,
    side,
    line,
    startLine,
    changed: lines.some((number) => index.changed[side].has(number)),
    anchoredCode: side === 'RIGHT' ? lines.map((number) => index.text.RIGHT.get(number) ?? '') : undefined,
    // `startLine`..`line` is the anchor now; a leftover end_line would be a second, possibly contradicting, truth.
    end_line: undefined,
    // Suggestions replace lines of the head; a deleted (LEFT) line has nothing to replace.
    suggestion: side === 'LEFT' ? undefined : suggestion,
  };
}

function isLineNumber(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
