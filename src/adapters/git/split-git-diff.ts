import type { ChangedFile } from '../../review/types.js';

/** One entry of `git diff --name-status -z`. */
export interface NameStatus {
  status: ChangedFile['status'];
  path: string;
  previousPath?: string;
}

const STATUS: Record<string, ChangedFile['status']> = { A: 'added', D: 'removed', M: 'modified', R: 'renamed', C: 'copied', T: 'changed' };

/** `git diff --name-status -z` output: `X\0path\0` or, for renames and copies, `Rnnn\0old\0new\0`. */
export function parseNameStatus(output: string): NameStatus[] {
  const parts = output.split('\0');
  const entries: NameStatus[] = [];
  for (let index = 0; index < parts.length; ) {
    const code = parts[index] ?? '';
    if (code === '') {
      index += 1;
      continue;
    }
    const status = STATUS[code[0] ?? ''] ?? 'changed';
    if (status === 'renamed' || status === 'copied') {
      entries.push({ status, previousPath: parts[index + 1] ?? '', path: parts[index + 2] ?? '' });
      index += 3;
    } else {
      entries.push({ status, path: parts[index + 1] ?? '' });
      index += 2;
    }
  }
  return entries;
}

/**
 * The per-file hunks of a `git diff` (several files, in the order of `--name-status`) in the pull-request files
 * API's shape: hunks only, without the `diff --git`/`---`/`+++` headers
 * (https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files), which is what parse-patch reads. A
 * binary file or a pure rename has no hunks and gets no patch, as on GitHub.
 */
export function splitGitDiff(diff: string, files: readonly NameStatus[]): ChangedFile[] {
  const sections = diff.split(/^(?=diff --git )/m).filter((section) => section.startsWith('diff --git '));
  return files.map((file, index) => {
    const section = sections[index] ?? '';
    const at = section.search(/^@@ /m);
    const patch = at === -1 ? undefined : section.slice(at).replace(/\n$/, '');
    let additions = 0;
    let deletions = 0;
    if (patch !== undefined) {
      for (const line of patch.split('\n')) {
        if (line.startsWith('+')) additions += 1;
        else if (line.startsWith('-')) deletions += 1;
      }
    }
    return {
      path: file.path,
      ...(file.previousPath === undefined ? {} : { previousPath: file.previousPath }),
      status: file.status,
      additions,
      deletions,
      ...(patch === undefined ? {} : { patch }),
    } satisfies ChangedFile;
  });
}
