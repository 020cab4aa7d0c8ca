import { runGit } from '../adapters/git/run-git.js';

export interface ReviewRange {
  repoDir: string;
  baseSha: string;
  headSha: string;
  baseLabel: string;
}

/** A problem the user can fix (not a git repository, an unknown ref): printed as it is, exit 2. */
export class UsageProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageProblem';
  }
}

/**
 * The merge base of `base` (default: the default branch — init.defaultBranch when such a branch exists — else
 * origin/HEAD, else main) and `head` (default HEAD). `workingTree` reviews uncommitted tracked changes too, through a
 * commit of the work tree that `git stash create` makes without touching the index, the work tree or any ref.
 */
export async function resolveReviewRange(options: { cwd: string; base?: string | undefined; head?: string | undefined; workingTree: boolean }): Promise<ReviewRange> {
  let repoDir: string;
  try {
    repoDir = (await runGit(options.cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new UsageProblem(`${options.cwd} is not a git repository (or git is not installed)`);
  }
  const commit = async (ref: string): Promise<string | undefined> => {
    try {
      return (await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const baseLabel = options.base ?? (await defaultBase(repoDir, commit));
  const base = await commit(baseLabel);
  if (!base) throw new UsageProblem(`unknown base ref '${baseLabel}'${options.base ? '' : ' (pass --base REF)'}`);
  let headSha: string | undefined;
  if (options.workingTree) {
    if (options.head) throw new UsageProblem('--working-tree reviews the work tree; it cannot be combined with --head');
    headSha = (await runGit(repoDir, ['stash', 'create'])).trim() || (await commit('HEAD'));
  } else {
    headSha = await commit(options.head ?? 'HEAD');
  }
  if (!headSha) throw new UsageProblem(`unknown head ref '${options.head ?? 'HEAD'}'`);
  let baseSha: string;
  try {
    baseSha = (await runGit(repoDir, ['merge-base', base, headSha])).trim();
  } catch {
    throw new UsageProblem(`'${baseLabel}' and the head have no common history`);
  }
  return { repoDir, baseSha, headSha, baseLabel };
}

async function defaultBase(repoDir: string, commit: (ref: string) => Promise<string | undefined>): Promise<string> {
  const configured = await runGit(repoDir, ['config', '--get', 'init.defaultBranch']).then((out) => out.trim(), () => '');
  if (configured && (await commit(`refs/heads/${configured}`))) return configured;
  const remote = await runGit(repoDir, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']).then((out) => out.trim(), () => '');
  if (remote) return remote;
  return 'main';
}
