import { parse as parseYaml } from 'yaml';
import type {
  CheckOutput,
  CheckRunCompletion,
  CheckRunStart,
  DirectoryEntry,
  ExistingCheckRun,
  PullRequestHost,
  PullRequestInfo,
  ReviewDraft,
} from '../../ports/pull-request-host.js';
import { ServiceError } from '../../ports/service-error.js';
import { runGit, streamGit } from './run-git.js';
import { parseNameStatus, splitGitDiff } from './split-git-diff.js';

/** What a local review posted, kept for the output instead of being sent to GitHub. */
export interface LocalCapture {
  reviews: ReviewDraft[];
  checkRuns: { id: number; start: CheckRunStart; updates: CheckOutput[]; completion?: CheckRunCompletion }[];
}

export interface LocalGitHostOptions {
  /** The repository's folder (any folder inside the work tree). */
  repoDir: string;
  /** The merge base: config, agents and skills are read here (the App reads them from the default branch). */
  baseSha: string;
  /** The commit reviewed (for `--working-tree`, a commit of the work tree made with `git stash create`). */
  headSha: string;
  /** Shown as the pull request's title and repository name. */
  title: string;
  repoName: string;
}

/**
 * The PullRequestHost port over a local git repository, so `bulwark review` runs the App's own job runner: the
 * diff comes from `git diff <base> <head>`, the config, agents and skills from the base commit, the tools' snapshot
 * from `git archive` of the head (the same limits and refusals as GitHub's tarball), and what the App would post is
 * captured in memory.
 */
export function createLocalGitHost(options: LocalGitHostOptions): { host: PullRequestHost; capture: LocalCapture } {
  const { repoDir, baseSha, headSha } = options;
  const capture: LocalCapture = { reviews: [], checkRuns: [] };
  const runOf = (id: number) => capture.checkRuns.find((run) => run.id === id);

  const pr: PullRequestInfo = {
    number: 1,
    state: 'open',
    merged: false,
    draft: false,
    title: options.title,
    body: '',
    author: { login: 'local', isBot: false, association: 'OWNER' },
    headSha,
    baseSha,
    baseRef: baseSha,
    defaultBranch: baseSha,
    changedFiles: 0,
  };

  const host: PullRequestHost = {
    getPullRequest: async () => pr,
    learnOwnIdentity: () => undefined,
    // A local repository has no team's feedback: nothing to learn from (the CLI reviews without learnings).
    listOwnRepoReviewComments: async () => [],
    listReviewCommentReactions: async () => [],
    listOwnResolvedThreads: async () => [],
    listRepoComments: async () => ({ own: [], listed: [], complete: true }),
    listFiles: async () => {
      const range = [baseSha, headSha];
      const names = parseNameStatus(await runGit(repoDir, ['diff', '--no-ext-diff', '--find-renames', '--name-status', '-z', ...range, '--']));
      if (names.length === 0) return [];
      const diff = await runGit(repoDir, ['diff', '--no-ext-diff', '--find-renames', '--no-color', '-U3', ...range, '--']);
      return splitGitDiff(diff, names);
    },
    readConfig: async (_ref, file) => {
      const text = await readAt(repoDir, baseSha, `.github/${file}`);
      if (text === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = parseYaml(text);
      } catch (error) {
        // The job runner reports a config that could not be parsed on the check, as it does for the App.
        throw new ServiceError('config', `.github/${file} could not be parsed`, { retryable: false, cause: new Error(`.github/${file} could not be parsed: ${error instanceof Error ? error.message : String(error)}`) });
      }
      if (parsed === null || parsed === undefined) return {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ServiceError('config', `.github/${file} is not an object`, { retryable: false, cause: new Error(`.github/${file} is not an object`) });
      }
      return parsed;
    },
    readFile: async (_ref, path, at) => readAt(repoDir, at, path),
    listDirectory: async (_ref, path, at) => {
      const tree = path === '' ? at : `${at}:${path.replace(/\/+$/, '')}`;
      let output: string;
      try {
        output = await runGit(repoDir, ['ls-tree', '-z', tree]);
      } catch {
        return [];
      }
      return output
        .split('\0')
        .filter(Boolean)
        .map((line) => {
          const [meta = '', name = ''] = line.split('\t');
          const type = meta.split(' ')[1];
          return { name, type: type === 'blob' ? 'file' : type === 'tree' ? 'dir' : 'other' } satisfies DirectoryEntry;
        });
    },
    createCheckRun: async (_ref, start) => {
      const id = capture.checkRuns.length + 1;
      capture.checkRuns.push({ id, start, updates: [] });
      return { id };
    },
    updateCheckRun: async (_ref, id, output) => {
      runOf(id)?.updates.push(output);
    },
    completeCheckRun: async (_ref, id, completion) => {
      const run = runOf(id);
      if (run) run.completion = completion;
    },
    createReview: async (_ref, review) => {
      capture.reviews.push(review);
      return { id: capture.reviews.length };
    },
    downloadTarball: async (_ref, sha, maxBytes) => {
      const chunks: Buffer[] = [];
      let received = 0;
      // The same top-level folder as GitHub's archives (`owner-repo-sha/`), which the snapshot strips.
      const whole = await streamGit(repoDir, ['archive', '--format=tar.gz', `--prefix=${options.repoName}-${sha.slice(0, 7)}/`, sha], (chunk) => {
        received += chunk.length;
        if (received > maxBytes) return false;
        chunks.push(chunk);
        return true;
      });
      if (!whole) return { kind: 'too-large', maxBytes };
      return { kind: 'archive', bytes: new Uint8Array(Buffer.concat(chunks)) };
    },
    // One review, no history: nothing was posted before, so every review is a full one.
    compareCommits: async () => ({ status: 'missing', files: [], truncated: false }),
    listOwnReviewThreads: async () => [],
    resolveReviewThread: async () => undefined,
    // The person running the command reviews their own repository.
    getPermission: async () => 'admin',
    addReaction: async () => undefined,
    listOwnComments: async () => [],
    // No conversation on a local review: nothing to read, and nowhere to answer.
    listOwnCommentEntries: async () => [],
    getComment: async () => undefined,
    updateComment: async () => undefined,
    upsertOwnComment: async () => undefined,
    listThreadComments: async () => [],
    replyInThread: async () => ({ id: 0 }),
    listOwnReviews: async () => capture.reviews.map((review) => review.body),
    listCheckRuns: async (_ref, sha, name) =>
      capture.checkRuns
        .filter((run) => run.start.headSha === sha && run.start.name === name)
        .map((run) => ({ id: run.id, externalId: run.start.externalId, status: run.completion ? 'completed' : 'in_progress', conclusion: run.completion?.conclusion ?? null, appSlug: 'bulwark' }) satisfies ExistingCheckRun),
    createComment: async () => undefined,
  };
  return { host, capture };
}

/** A file's text at a commit; undefined when the path is not a file there. */
async function readAt(repoDir: string, at: string, path: string): Promise<string | undefined> {
  try {
    const type = (await runGit(repoDir, ['cat-file', '-t', `${at}:${path}`])).trim();
    if (type !== 'blob') return undefined;
    return await runGit(repoDir, ['cat-file', 'blob', `${at}:${path}`]);
  } catch {
    return undefined;
  }
}
