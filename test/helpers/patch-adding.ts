import { parsePatch } from '../../src/review/parse-patch.js';
import type { ChangedFile, DiffFile } from '../../src/review/types.js';

/**
 * The patch GitHub would send for `head` when the lines at `added` (1-based head numbers, each at least 7 apart)
 * were added: one hunk per line, three lines of context on each side.
 */
export function patchAdding(head: readonly string[], added: readonly number[]): string {
  const hunks: string[] = [];
  added.forEach((line, index) => {
    const first = Math.max(1, line - 3);
    const last = Math.min(head.length, line + 3);
    const newLines = last - first + 1;
    hunks.push(`@@ -${first - index},${newLines - 1} +${first},${newLines} @@`);
    for (let number = first; number <= last; number += 1) hunks.push(`${number === line ? '+' : ' '}${head[number - 1]}`);
  });
  return hunks.join('\n');
}

/** `patch` parsed as the diff of `path` (one line added); throws when it does not parse. */
export function diffFileOf(path: string, patch: string, status: ChangedFile['status'] = 'modified'): DiffFile {
  const file = parsePatch({ path, status, additions: 1, deletions: 0, patch });
  if (file === undefined) throw new Error(`the test patch does not parse:\n${patch}`);
  return file;
}
