import type { DiffFile, Side } from './types.js';

/** The code on a cited line of the diff, for fingerprints; undefined when the line is not in the diff. */
export function lineText(files: DiffFile[], path: string, line: number, side: Side): string | undefined {
  const file = files.find((candidate) => candidate.path === path);
  if (!file) return undefined;
  for (const hunk of file.hunks) {
    for (const diffLine of hunk.lines) {
      const number = side === 'LEFT' ? (diffLine.kind === 'add' ? undefined : diffLine.oldLine) : diffLine.kind === 'del' ? undefined : diffLine.newLine;
      if (number === line) return diffLine.text;
    }
  }
  return undefined;
}
