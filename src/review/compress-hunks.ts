import type { DiffFile, DiffLine, Hunk } from './types.js';

/** Deleted lines kept at each end of a compressed run: enough to show what went and where. */
export const KEPT_AT_EACH_END = 3;

/** A run of at most this many deleted lines is shown whole; compressing it would save next to nothing. */
export const MAX_UNCOMPRESSED_RUN = 8;

/**
 * Shrinks what the prompt shows of deletion-only hunks: code that is only removed is worth a glance (was it
 * still called? was it a guard?), not its full token price.
 *
 * In a hunk with no added line, every run of more than MAX_UNCOMPRESSED_RUN consecutive deleted lines becomes
 * its first and last KEPT_AT_EACH_END lines around one omission marker (`… N deleted lines omitted …`).
 * Context lines and hunks with any addition are left as they are; the header stays the original one, so the
 * model still sees the hunk's true extent.
 *
 * The marker is a 'context' line with neither `oldLine` nor `newLine`. build-prompt renders both number
 * columns blank for it (the columns stay aligned), and the prompt tells the model to cite lines by their L/R
 * numbers, so there is nothing on it to cite.
 *
 * CONTRACT: the result is a copy for the PROMPT only. Anchoring, line lookups and fingerprints must run against
 * the ORIGINAL parsed files: the compressed hunk no longer agrees with its header, and a finding on an omitted
 * deleted line (the model may infer one from the header) is still a valid anchor in the original diff.
 * The input is never modified; untouched hunks are returned as the same objects.
 */
export function compressHunks(file: DiffFile): DiffFile {
  let changed = false;
  const hunks = file.hunks.map((hunk) => {
    const compressed = compressHunk(hunk);
    if (compressed !== hunk) changed = true;
    return compressed;
  });
  return changed ? { ...file, hunks } : file;
}

/** True for the omission marker compressHunks inserts: a line of neither version of the file. */
export function isOmissionMarker(line: DiffLine): boolean {
  return line.oldLine === undefined && line.newLine === undefined;
}

function compressHunk(hunk: Hunk): Hunk {
  if (hunk.lines.some((line) => line.kind === 'add')) return hunk;
  const lines: DiffLine[] = [];
  let compressed = false;
  let runStart = 0;
  for (let i = 0; i <= hunk.lines.length; i++) {
    const line = hunk.lines[i];
    if (line !== undefined && line.kind === 'del') continue;
    // hunk.lines[runStart, i) is a run of deleted lines (possibly empty); `line` (if any) ends it.
    const run = hunk.lines.slice(runStart, i);
    if (run.length > MAX_UNCOMPRESSED_RUN) {
      lines.push(...run.slice(0, KEPT_AT_EACH_END), omissionMarker(run.length - 2 * KEPT_AT_EACH_END), ...run.slice(-KEPT_AT_EACH_END));
      compressed = true;
    } else {
      lines.push(...run);
    }
    if (line !== undefined) lines.push(line);
    runStart = i + 1;
  }
  return compressed ? { ...hunk, lines } : hunk;
}

function omissionMarker(omitted: number): DiffLine {
  return { kind: 'context', text: `… ${omitted} deleted lines omitted …` };
}
