import type { DiffFile } from '../review/types.js';
import { countPlaceholders } from './count-placeholders.js';
import { scanSecrets } from './scan-secrets.js';

export interface FileLines {
  /** Repository-relative path: picks secretlint's file kind (`.npmrc`, `package.json`, plain), never sent to it. */
  path: string;
  lines: readonly string[];
}

export interface MaskedLines {
  /** The same lines with every secret replaced by its placeholder; undefined when nothing was masked. */
  lines: string[] | undefined;
  /** How many places were masked. */
  count: number;
}

/**
 * Whole files (the head commit's, as the context tools serve them), masked exactly like the diff: each file is
 * scanned as one text of the path's lint kind, so a multi-line private key is seen whole, and every line a match
 * touches is masked with the same placeholders (`[REDACTED secret: github]`). One line in, one line out: line
 * numbers do not move. A value found in one file is masked in the others of the batch too. Rejects when
 * secretlint fails: the caller must then show nothing of these files (fail closed).
 *
 * Built on scanSecrets (each file as a diff whose lines are all added) so the files go through the very scan the
 * diff does; the findings it reports are not wanted here and are dropped.
 */
export async function maskSecretsInFiles(files: readonly FileLines[]): Promise<MaskedLines[]> {
  const asDiff: DiffFile[] = files.map((file) => ({
    path: file.path,
    status: 'modified',
    additions: file.lines.length,
    deletions: 0,
    hunks: [
      {
        oldStart: 0,
        oldLines: 0,
        newStart: 1,
        newLines: file.lines.length,
        header: '',
        lines: file.lines.map((text, index) => ({ kind: 'add' as const, newLine: index + 1, text })),
      },
    ],
  }));
  const scan = await scanSecrets({ files: asDiff, title: '', body: '' });
  return scan.files.map((masked, index) => {
    const original = asDiff[index];
    if (masked === original) return { lines: undefined, count: 0 };
    const lines = masked.hunks[0]?.lines.map((line) => line.text) ?? [];
    let count = 0;
    lines.forEach((line, at) => {
      if (line !== files[index]?.lines[at]) count += countPlaceholders(line) - countPlaceholders(files[index]?.lines[at] ?? '');
    });
    return { lines, count: Math.max(count, 0) };
  });
}
