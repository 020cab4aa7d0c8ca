import parseDiff from 'parse-diff';
import type { ChangedFile, DiffFile, DiffLine, Hunk } from './types.js';

/**
 * Parses the `patch` of one file from the pull-request files API (hunks only, no `diff --git`/`---`/`+++`
 * headers: https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files) into hunks.
 *
 * Returns undefined when there is no patch (binary or too large) or when the patch does not parse into at least
 * one hunk whose lines agree with its `@@` header: every line we keep may later become an inline-comment anchor,
 * and one wrong anchor makes GitHub reject the whole review, so a patch we cannot read exactly is not read at all.
 */
export function parsePatch(file: ChangedFile): DiffFile | undefined {
  if (file.patch === undefined || file.patch.trim() === '') return undefined;

  // parse-diff splits on '\n' only and its `\ No newline` regex is anchored with `$`, so with CRLF that marker
  // line is parsed as a context line: it consumes a line of the hunk's count and shifts every later line number.
  const patch = file.patch.replaceAll('\r\n', '\n');
  const read = readHunks(patch);
  const hunks = read === UNUSUAL ? parseWithParseDiff(patch) : read;
  if (hunks === undefined) return undefined;

  return {
    path: file.path,
    // exactOptionalPropertyTypes: the key must be absent, not undefined, when the file was not renamed.
    ...(file.previousPath === undefined ? {} : { previousPath: file.previousPath }),
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    hunks,
  };
}

/** The hunks parse-diff reads from a patch, checked (well-formed lines, counts agreeing with the headers). */
export function parseWithParseDiff(patch: string): Hunk[] | undefined {
  const chunks = parseChunks(patch);
  if (chunks.length === 0 || !chunks.every(hasWellFormedLines)) return undefined;
  const hunks = chunks.map(toHunk);
  return isConsistent(hunks, patch) ? hunks : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The usual patch, read in one pass: what parseWithParseDiff returns for it, without parse-diff's objects (a
// regex match and a change object per line, then a copy of each: most of what parsing 100,000 lines allocated).

/** readHunks met a line parse-diff gives a meaning of its own (file headers, stray text): parse-diff reads it. */
export const UNUSUAL = Symbol('unusual');

/** parse-diff's hunk header, verbatim. */
const HUNK_HEADER = /^@@\s+-(\d+),?(\d+)?\s+\+(\d+),?(\d+)?\s@@/;
const NO_NEWLINE_MARKER = '\\ No newline at end of file';
const PLUS = 43;
const MINUS = 45;
const SPACE = 32;
const BACKSLASH = 92;

/**
 * parse-diff's state machine for a patch made of hunk headers, '+', '-', ' ' and empty lines and `\` markers,
 * step for step: after a header every line is the hunk's (even past a count of zero) until both counts are used
 * up; outside a hunk a marker copies the previous line (a TypeError when there is none: no hunks) and anything
 * but a header is ignored. The checks of parseWithParseDiff follow: every line well-formed, each hunk's lines
 * matching its header, every body line of the patch in a hunk. Anything else is UNUSUAL.
 */
export function readHunks(patch: string): Hunk[] | undefined | typeof UNUSUAL {
  const hunks: Hunk[] = [];
  let hunk: Hunk | undefined;
  /** parse-diff's change count of `hunk`, the marker copies included. */
  let changes = 0;
  let inHunk = false;
  let oldLeft = 0;
  let newLeft = 0;
  let oldLine = 0;
  let newLine = 0;
  /** Body lines as countBodyLines counts them: after the first `@@ ` line, neither `@@ ` lines nor `\` lines. */
  let bodyLines = 0;
  let seenHeader = false;
  for (let start = 0; start <= patch.length; ) {
    let end = patch.indexOf('\n', start);
    if (end === -1) end = patch.length;
    const first = end > start ? patch.charCodeAt(start) : -1;
    const next = end + 1;
    if (first === 64 /* @ */ && patch.startsWith('@@ ', start)) seenHeader = true;
    else if (seenHeader && first !== BACKSLASH) bodyLines += 1;

    if (inHunk && hunk) {
      if (first === BACKSLASH) {
        if (end - start !== NO_NEWLINE_MARKER.length || !patch.startsWith(NO_NEWLINE_MARKER, start)) return UNUSUAL;
        if (changes === 0) return undefined;
        changes += 1;
      } else if (first === MINUS) {
        hunk.lines.push({ kind: 'del', oldLine: oldLine++, text: lineText(patch, start, end) });
        changes += 1;
        oldLeft -= 1;
      } else if (first === PLUS) {
        hunk.lines.push({ kind: 'add', newLine: newLine++, text: lineText(patch, start, end) });
        changes += 1;
        newLeft -= 1;
      } else if (first === SPACE || first === -1) {
        // An empty line is a context line with empty text, as parse-diff's `content.slice(1)` makes it.
        hunk.lines.push({ kind: 'context', oldLine: oldLine++, newLine: newLine++, text: first === -1 ? '' : lineText(patch, start, end) });
        changes += 1;
        oldLeft -= 1;
        newLeft -= 1;
      } else {
        return UNUSUAL;
      }
      if (oldLeft === 0 && newLeft === 0) inHunk = false;
    } else if (first === 64 /* @ */) {
      const line = patch.slice(start, end);
      const match = HUNK_HEADER.exec(line);
      if (!match) return UNUSUAL;
      const header = stripCr(line);
      const [, oldStart, oldCount, newStart, newCount] = match;
      hunk = { oldStart: +(oldStart ?? ''), oldLines: +(oldCount || 1), newStart: +(newStart ?? ''), newLines: +(newCount || 1), header, lines: [] };
      hunks.push(hunk);
      changes = 0;
      inHunk = true;
      oldLine = hunk.oldStart;
      newLine = hunk.newStart;
      oldLeft = hunk.oldLines;
      newLeft = hunk.newLines;
    } else if (first === BACKSLASH && end - start === NO_NEWLINE_MARKER.length && patch.startsWith(NO_NEWLINE_MARKER, start)) {
      if (hunk && changes === 0) return undefined;
      if (hunk) changes += 1;
    } else if (first !== -1) {
      return UNUSUAL;
    }
    start = next;
  }
  if (hunks.length === 0) return undefined;
  if (patch.endsWith('\n') && seenHeader) bodyLines -= 1;
  let lines = 0;
  for (const parsed of hunks) {
    if (!matchesHeader(parsed)) return undefined;
    lines += parsed.lines.length;
  }
  return lines === bodyLines ? hunks : undefined;
}

/** A line's text: without its '+', '-' or ' ' and without a trailing '\r' (see stripCr). */
function lineText(patch: string, start: number, end: number): string {
  return patch.slice(start + 1, end > start + 1 && patch.charCodeAt(end - 1) === 13 ? end - 1 : end);
}

/** parse-diff throws a TypeError on a `\ No newline` marker right after a hunk header (no previous line to copy). */
function parseChunks(patch: string): parseDiff.Chunk[] {
  try {
    return parseDiff(patch).flatMap((parsed) => parsed.chunks);
  } catch {
    return [];
  }
}

function toHunk(chunk: parseDiff.Chunk): Hunk {
  return {
    oldStart: chunk.oldStart,
    oldLines: chunk.oldLines,
    newStart: chunk.newStart,
    newLines: chunk.newLines,
    header: stripCr(chunk.content),
    // parse-diff reports `\ No newline at end of file` as a copy of the previous change (an "added" or "deleted"
    // line with the previous line's number); it is a marker, not a line of either file.
    lines: chunk.changes.filter((change) => !isNoNewlineMarker(change)).map(toDiffLine),
  };
}

/** Raw '+', '-' and ' ' lines never start with a backslash; only the `\ No newline at end of file` marker does. */
function isNoNewlineMarker(change: parseDiff.Change): boolean {
  return change.content.startsWith('\\');
}

function toDiffLine(change: parseDiff.Change): DiffLine {
  const text = stripCr(change.content.slice(1));
  switch (change.type) {
    case 'add':
      return { kind: 'add', newLine: change.ln, text };
    case 'del':
      return { kind: 'del', oldLine: change.ln, text };
    case 'normal':
      return { kind: 'context', oldLine: change.ln1, newLine: change.ln2, text };
  }
}

/**
 * GitHub omits the patch's final newline, so in a CRLF file the last line keeps a '\r' that normalising '\r\n'
 * cannot see; a line's text never includes it.
 */
function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * parse-diff treats any line that is not '+', '-' or `\` as context. A real context line starts with ' ' (or is
 * empty: some tools strip the space of a blank context line); anything else means the patch is not what we think.
 */
function hasWellFormedLines(chunk: parseDiff.Chunk): boolean {
  return chunk.changes.every(
    (change) =>
      change.type !== 'normal' || change.content === '' || change.content.startsWith(' ') || isNoNewlineMarker(change),
  );
}

/**
 * parse-diff is driven by the counts in each `@@` header and silently ignores what does not fit: a truncated hunk
 * swallows the next `@@` header as a context line, surplus lines are dropped. Accept the parse only when every
 * hunk holds exactly the lines its header announces and every body line of the patch landed in a hunk.
 */
function isConsistent(hunks: Hunk[], patch: string): boolean {
  return hunks.every(matchesHeader) && countBodyLines(patch) === hunks.reduce((n, h) => n + h.lines.length, 0);
}

function matchesHeader(hunk: Hunk): boolean {
  const oldCount = hunk.lines.filter((line) => line.kind !== 'add').length;
  const newCount = hunk.lines.filter((line) => line.kind !== 'del').length;
  return oldCount === hunk.oldLines && newCount === hunk.newLines;
}

/** Lines after the first hunk header that are neither hunk headers nor `\` markers. */
function countBodyLines(patch: string): number {
  const lines = patch.split('\n');
  const firstHeader = lines.findIndex(isHunkHeader);
  if (firstHeader === -1) return 0;
  const body = lines.slice(firstHeader).filter((line) => !isHunkHeader(line) && !line.startsWith('\\'));
  // A patch ending with a newline leaves one empty string after the split; it is not a line of the diff.
  return patch.endsWith('\n') ? body.length - 1 : body.length;
}

function isHunkHeader(line: string): boolean {
  return line.startsWith('@@ ');
}
