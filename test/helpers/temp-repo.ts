import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A repository in a new temporary folder holding `files` (path → text); returns the folder. */
export function repoWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-repo-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
