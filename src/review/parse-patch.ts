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
  const chunks = parseChunks(patch);
  if (chunks.length === 0 || !chunks.every(hasWellFormedLines)) return undefined;
  const hunks = chunks.map(toHunk);
  if (!isConsistent(hunks, patch)) return undefined;

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
