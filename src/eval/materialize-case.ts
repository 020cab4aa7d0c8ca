import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runGit } from '../adapters/git/run-git.js';

export interface MaterializedCase {
  repoDir: string;
  baseSha: string;
  headSha: string;
  remove(): Promise<void>;
}

/** A throwaway git repository with the base as one commit and the change as the next, for the local review. */
export async function materializeCase(input: { base: Map<string, string>; head: Map<string, string>; deleted: readonly string[]; config?: Record<string, unknown> | undefined }): Promise<MaterializedCase> {
  const repoDir = await mkdtemp(join(tmpdir(), 'bulwark-eval-'));
  const put = async (path: string, text: string) => {
    await mkdir(dirname(join(repoDir, path)), { recursive: true });
    await writeFile(join(repoDir, path), text);
  };
  const git = (args: string[]) => runGit(repoDir, ['-c', 'user.name=bulwark-eval', '-c', 'user.email=eval@bulwark.invalid', '-c', 'commit.gpgsign=false', ...args]);
  await git(['init', '--quiet', '--initial-branch=main']);
  for (const [path, text] of input.base) await put(path, text);
  if (input.config) await put('.github/bulwark.yml', stringify(input.config));
  await git(['add', '--all']);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'base']);
  const baseSha = (await git(['rev-parse', 'HEAD'])).trim();
  for (const [path, text] of input.head) await put(path, text);
  for (const path of input.deleted) await rm(join(repoDir, path), { force: true });
  await git(['add', '--all']);
  await git(['commit', '--quiet', '--allow-empty', '-m', 'change']);
  const headSha = (await git(['rev-parse', 'HEAD'])).trim();
  return { repoDir, baseSha, headSha, remove: () => rm(repoDir, { recursive: true, force: true }) };
}
