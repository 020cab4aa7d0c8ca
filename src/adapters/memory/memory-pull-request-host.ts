import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type {
  CheckAction,
  CheckOutput,
  Comparison,
  DirectoryEntry,
  ExistingCheckRun,
  PullRequestHost,
  PullRequestInfo,
  PullRequestRef,
  RepoPermission,
  ReviewDraft,
  ReviewThread,
  TarballDownload,
  ThreadComment,
} from '../../ports/pull-request-host.js';
import { ServiceError } from '../../ports/service-error.js';
import { memoryLearningHost } from './memory-learning-host.js';
import type { MemoryRepoFeedback } from './memory-learning-host.js';
import { parsePatch } from '../../review/parse-patch.js';
import type { ChangedFile } from '../../review/types.js';

/** One pull request the memory host serves. */
export interface MemoryPullRequest {
  info: PullRequestInfo;
  files: ChangedFile[];
}

/** A check run as GitHub holds it: the start, then every update merged over it (later fields win). */
export interface MemoryCheckRun {
  id: number;
  name: string;
  headSha: string;
  externalId: string;
  status: 'in_progress' | 'completed';
  conclusion: string | null;
  output: CheckOutput | undefined;
  actions: CheckAction[];
  appSlug: string;
  /** Every output it was given (start, updates, completion), in order. */
  outputs: CheckOutput[];
}

export interface MemoryReview {
  id: number;
  pullNumber: number;
  draft: ReviewDraft;
}

export interface MemoryComment {
  /** Given by the host when absent (from 1000 up). */
  id?: number;
  pullNumber: number;
  body: string;
  /** `bulwark[bot]` for comments the App posted. */
  author: { login: string; isBot: boolean };
}

export interface MemoryThread extends ReviewThread {
  pullNumber: number;
  author: { login: string; isBot: boolean };
}

export interface MemoryReaction {
  commentId: number;
  content: 'eyes' | '+1' | 'confused';
  on: 'issue-comment' | 'review-comment';
}

/** A review comment: a thread's first comment (no `inReplyTo`) or a reply in it. */
export interface MemoryThreadComment extends Omit<ThreadComment, 'own'> {
  pullNumber: number;
}

/** The host's methods, by name: what a fault may be injected into. */
export type HostMethod = Exclude<keyof PullRequestHost, 'learnOwnIdentity'>;

export interface MemoryPullRequestHostOptions {
  pullRequests?: MemoryPullRequest[];
  /** The repository's files per ref (a sha or a branch name): what readFile, listDirectory and the tarball serve. */
  repoFiles?: Record<string, Record<string, string>>;
  /** Config files of the default branch by name (e.g. `bulwark.yml`), already parsed; absent: no config. */
  config?: Record<string, unknown>;
  /** Role per login; a login not listed is no collaborator (`none`). */
  permissions?: Record<string, RepoPermission>;
  /** `base...head` → comparison; a pair not listed is answered `missing` (the base is gone). */
  comparisons?: Record<string, Omit<Comparison, 'truncated'> & { truncated?: boolean }>;
  /** Reviews, comments, threads and check runs already there (by Bulwark or others). */
  reviews?: { pullNumber: number; body: string; author?: { login: string; isBot: boolean } }[];
  comments?: MemoryComment[];
  threads?: MemoryThread[];
  threadComments?: MemoryThreadComment[];
  /** Review comments and threads across the repository's pull requests, with reactions and resolutions (src/learning). */
  feedback?: MemoryRepoFeedback;
  checkRuns?: (Omit<MemoryCheckRun, 'id' | 'outputs' | 'actions' | 'appSlug'> & { appSlug?: string })[];
  /** The App's slug (GitHub's `app.slug` on its check runs); default `bulwark`. */
  appSlug?: string;
}

/** A PullRequestHost whose state tests read and change directly. */
export interface MemoryPullRequestHost extends PullRequestHost {
  readonly pullRequests: Map<number, MemoryPullRequest>;
  readonly repoFiles: Record<string, Record<string, string>>;
  readonly config: Record<string, unknown>;
  readonly permissions: Record<string, RepoPermission>;
  readonly checkRuns: MemoryCheckRun[];
  /** Reviews that exist (accepted), with their id. */
  readonly reviews: MemoryReview[];
  /** Every review asked for, accepted or rejected. */
  readonly reviewAttempts: ReviewDraft[];
  readonly comments: MemoryComment[];
  readonly threads: MemoryThread[];
  /** Review comments (threads' first comments and replies), for the conversation. */
  readonly threadComments: MemoryThreadComment[];
  readonly reactions: MemoryReaction[];
  readonly feedback: MemoryRepoFeedback;
  /** Every call, by method name, in order (what a test may count). */
  readonly calls: HostMethod[];
  /** The identity `learnOwnIdentity` was told, if any. */
  readonly ownLogin: () => string | undefined;
  /** The next `times` calls of `method` throw `error` (after doing their work when `applied`, like a 502 after GitHub acted). */
  fail(method: HostMethod, error: unknown, options?: { times?: number; applied?: boolean }): void;
  /** The only check run; throws when there is none or several. */
  check(): MemoryCheckRun;
  /** Moves a pull request to a new head sha (a push). */
  setHead(pullNumber: number, sha: string): void;
}

const MARKER = '<!-- bulwark:';

/**
 * An in-memory GitHub for one installation, behaving like the GitHub adapter where the runner can tell: GitHub's rules
 * that shape the pipeline are kept (a review whose inline comment is not on a line of the diff is refused with 422:
 * https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request; a check run's later updates
 * win; only bot bodies carrying Bulwark's marker are "own", and only the App's once its slug is known).
 * Deterministic: ids count up from 1 per kind, nothing depends on time.
 */
export function createMemoryPullRequestHost(options: MemoryPullRequestHostOptions = {}): MemoryPullRequestHost {
  const appSlug = options.appSlug ?? 'bulwark';
  const botAuthor = { login: `${appSlug}[bot]`, isBot: true };
  const faults: { method: HostMethod; error: unknown; left: number; applied: boolean }[] = [];
  let knownLogin: string | undefined;
  let nextCheckRunId = 1;
  let nextReviewId = 1;
  let nextCommentId = 1000;

  const pullRequests = new Map<number, MemoryPullRequest>((options.pullRequests ?? []).map((pr) => [pr.info.number, structuredClone(pr)]));
  const checkRuns: MemoryCheckRun[] = (options.checkRuns ?? []).map((run) => ({
    ...run,
    id: nextCheckRunId++,
    appSlug: run.appSlug ?? appSlug,
    actions: [],
    outputs: run.output ? [run.output] : [],
  }));
  const reviews: MemoryReview[] = [];
  const existingReviews = (options.reviews ?? []).map((review) => ({ ...review, author: review.author ?? botAuthor, id: nextReviewId++ }));

  const isOwn = (author: { login: string; isBot: boolean }) => (knownLogin ? author.login.toLowerCase() === knownLogin.toLowerCase() : author.isBot);
  const pullRequest = (ref: PullRequestRef): MemoryPullRequest => {
    const found = pullRequests.get(ref.pullNumber);
    if (!found) throw new ServiceError('github', 'GitHub reading the pull request failed: not found (404)', { retryable: false, status: 404 });
    return found;
  };
  const checkRun = (id: number): MemoryCheckRun => {
    const found = checkRuns.find((run) => run.id === id);
    if (!found) throw new ServiceError('github', 'GitHub updating the check run failed: not found (404)', { retryable: false, status: 404 });
    return found;
  };

  const feedback: MemoryRepoFeedback = structuredClone(options.feedback ?? { reviewComments: [], threads: [] });

  /** The pull request's comments of its own that carry a marker, oldest first. */
  const ownComments = (ref: PullRequestRef) => host.comments.filter((comment) => comment.pullNumber === ref.pullNumber && isOwn(comment.author) && comment.body.includes(MARKER));

  /** Runs a method's work under any fault injected for it. */
  const act = async <T>(method: HostMethod, work: () => T | Promise<T>): Promise<T> => {
    host.calls.push(method);
    const fault = faults.find((candidate) => candidate.method === method && candidate.left > 0);
    if (!fault) return work();
    fault.left -= 1;
    if (fault.applied) await work();
    throw fault.error;
  };

  const host: MemoryPullRequestHost = {
    pullRequests,
    repoFiles: structuredClone(options.repoFiles ?? {}),
    config: { ...options.config },
    permissions: { ...options.permissions },
    checkRuns,
    reviews,
    reviewAttempts: [],
    comments: (options.comments ?? []).map((comment) => ({ ...comment, id: comment.id ?? nextCommentId++ })),
    threads: [...(options.threads ?? [])],
    threadComments: [...(options.threadComments ?? [])],
    reactions: [],
    feedback,
    calls: [],
    ownLogin: () => knownLogin,

    fail: (method, error, faultOptions = {}) => void faults.push({ method, error, left: faultOptions.times ?? 1, applied: faultOptions.applied ?? false }),
    check: () => {
      if (checkRuns.length !== 1) throw new Error(`expected one check run, found ${checkRuns.length}`);
      return checkRuns[0]!;
    },
    setHead: (pullNumber, sha) => {
      const found = pullRequests.get(pullNumber);
      if (!found) throw new Error(`no pull request #${pullNumber}`);
      found.info = { ...found.info, headSha: sha };
    },

    learnOwnIdentity: (slug) => {
      if (slug) knownLogin = `${slug}[bot]`;
    },
    // As the GitHub adapter: learning is read only from bodies by the App's known login.
    ...memoryLearningHost(feedback, () => host.comments, (author) => knownLogin !== undefined && isOwn(author), act),

    getPullRequest: (ref) => act('getPullRequest', () => structuredClone(pullRequest(ref).info)),
    // GitHub's files API lists at most 3,000 files.
    listFiles: (ref) => act('listFiles', () => structuredClone(pullRequest(ref).files.slice(0, 3000))),
    readConfig: (_ref, file) => act('readConfig', () => structuredClone(host.config[file])),

    readFile: (_ref, path, at) => act('readFile', () => host.repoFiles[at]?.[path]),
    listDirectory: (_ref, path, at) => act('listDirectory', () => listEntries(host.repoFiles[at] ?? {}, path)),

    createCheckRun: (_ref, start) =>
      act('createCheckRun', () => {
        const run: MemoryCheckRun = {
          id: nextCheckRunId++,
          name: start.name,
          headSha: start.headSha,
          externalId: start.externalId,
          status: 'in_progress',
          conclusion: null,
          output: start.output,
          actions: [],
          appSlug,
          outputs: start.output ? [start.output] : [],
        };
        checkRuns.push(run);
        // As the adapter learns it from GitHub's answer (`app.slug`).
        knownLogin = `${appSlug}[bot]`;
        return { id: run.id };
      }),
    updateCheckRun: (_ref, id, output) =>
      act('updateCheckRun', () => {
        const run = checkRun(id);
        run.output = output;
        run.outputs.push(output);
      }),
    completeCheckRun: (_ref, id, completion) =>
      act('completeCheckRun', () => {
        const run = checkRun(id);
        run.status = 'completed';
        run.conclusion = completion.conclusion;
        run.output = completion.output;
        run.outputs.push(completion.output);
        if (completion.actions?.length) run.actions = completion.actions;
      }),
    listCheckRuns: (_ref, headSha, name) =>
      act('listCheckRuns', () =>
        checkRuns
          .filter((run) => run.headSha === headSha && run.name === name)
          .map((run) => ({ id: run.id, externalId: run.externalId, status: run.status, conclusion: run.conclusion, title: run.output?.title ?? null, appSlug: run.appSlug }) satisfies ExistingCheckRun),
      ),

    createReview: (ref, draft) => {
      // Recorded even when a fault answers it: the request was sent.
      host.reviewAttempts.push(structuredClone(draft));
      return act('createReview', () => {
        const pr = pullRequest(ref);
        const outside = draft.comments.find((comment) => !commentable(pr.files, comment));
        if (outside) {
          throw new ServiceError('github', 'GitHub posting the review failed: unprocessable (422): Pull request review thread line must be part of the diff', {
            retryable: false,
            status: 422,
          });
        }
        const review: MemoryReview = { id: nextReviewId++, pullNumber: ref.pullNumber, draft: structuredClone(draft) };
        reviews.push(review);
        // Every inline comment of an accepted review opens a thread, as on GitHub, whose first comment has an id.
        draft.comments.forEach((comment, index) => {
          const rootCommentId = nextCommentId++;
          host.threads.push({ id: `thread-${review.id}-${index}`, pullNumber: ref.pullNumber, path: comment.path, isResolved: false, isOutdated: false, body: comment.body, author: botAuthor, rootCommentId });
          host.threadComments.push({ id: rootCommentId, pullNumber: ref.pullNumber, body: comment.body, author: botAuthor, inReplyTo: undefined, path: comment.path, line: comment.line, side: comment.side, diffHunk: '' });
        });
        return { id: review.id };
      });
    },
    listOwnReviews: (ref) =>
      act('listOwnReviews', () => [
        ...existingReviews.filter((review) => review.pullNumber === ref.pullNumber && isOwn(review.author) && review.body.includes(MARKER)).map((review) => review.body),
        ...reviews.filter((review) => review.pullNumber === ref.pullNumber && review.draft.body.includes(MARKER)).map((review) => review.draft.body),
      ]),
    listOwnReviewThreads: (ref) =>
      act('listOwnReviewThreads', () =>
        host.threads
          .filter((thread) => thread.pullNumber === ref.pullNumber && isOwn(thread.author) && thread.body.includes(MARKER))
          .map(({ id, path, isResolved, isOutdated, body, rootCommentId }) => ({ id, path, isResolved, isOutdated, body, ...(rootCommentId === undefined ? {} : { rootCommentId }) })),
      ),
    resolveReviewThread: (_ref, threadId) =>
      act('resolveReviewThread', () => {
        const thread = host.threads.find((candidate) => candidate.id === threadId);
        if (!thread) throw new ServiceError('github', 'GitHub resolving a review thread failed: not found', { retryable: false });
        thread.isResolved = true;
      }),

    getPermission: (_ref, login) => act('getPermission', () => host.permissions[login] ?? 'none'),
    addReaction: (_ref, commentId, content, on = 'issue-comment') => act('addReaction', () => void host.reactions.push({ commentId, content, on })),
    createComment: (ref, body) => act('createComment', () => void host.comments.push({ id: nextCommentId++, pullNumber: ref.pullNumber, body, author: botAuthor })),
    listOwnComments: (ref) => act('listOwnComments', () => ownComments(ref).map((comment) => comment.body)),
    listOwnCommentEntries: (ref) => act('listOwnCommentEntries', () => ownComments(ref).map((comment) => ({ id: comment.id ?? 0, body: comment.body }))),
    getComment: (ref, commentId) =>
      act('getComment', () => {
        const found = host.comments.find((comment) => comment.id === commentId && comment.pullNumber === ref.pullNumber);
        return found && { id: commentId, body: found.body, author: { ...found.author } };
      }),
    updateComment: (_ref, commentId, body) =>
      act('updateComment', () => {
        const found = host.comments.find((comment) => comment.id === commentId);
        if (!found) throw new ServiceError('github', 'GitHub updating a comment failed: not found (404)', { retryable: false, status: 404 });
        found.body = body;
      }),
    upsertOwnComment: (ref, update) =>
      act('upsertOwnComment', () => {
        const found = host.comments.find((comment) => comment.pullNumber === ref.pullNumber && isOwn(comment.author) && update.matches(comment.body));
        const body = update.render(found?.body);
        if (!found) host.comments.push({ id: nextCommentId++, pullNumber: ref.pullNumber, body, author: botAuthor });
        else found.body = body;
      }),
    listThreadComments: (ref, rootCommentId) =>
      act('listThreadComments', () =>
        host.threadComments
          .filter((comment) => comment.pullNumber === ref.pullNumber && (comment.id === rootCommentId || comment.inReplyTo === rootCommentId))
          .map(({ pullNumber: _pullNumber, ...comment }) => ({ ...structuredClone(comment), own: isOwn(comment.author) })),
      ),
    replyInThread: (ref, rootCommentId, body) =>
      act('replyInThread', () => {
        const root = host.threadComments.find((comment) => comment.id === rootCommentId && comment.pullNumber === ref.pullNumber);
        if (!root) throw new ServiceError('github', 'GitHub replying in a review thread failed: not found (404)', { retryable: false, status: 404 });
        const id = nextCommentId++;
        host.threadComments.push({ ...root, id, body, author: botAuthor, inReplyTo: rootCommentId });
        return { id };
      }),

    compareCommits: (_ref, base, head) =>
      act('compareCommits', () => {
        const found = options.comparisons?.[`${base}...${head}`];
        return found ? { status: found.status, files: [...found.files], truncated: found.truncated ?? false } : { status: 'missing' as const, files: [], truncated: false };
      }),

    downloadTarball: (ref, sha, maxBytes) =>
      act('downloadTarball', async (): Promise<TarballDownload> => {
        const files = host.repoFiles[sha];
        if (!files) throw new ServiceError('github', 'GitHub downloading the repository snapshot failed: not found (404)', { retryable: false, status: 404 });
        const bytes = await gzippedTar(`${ref.owner}-${ref.repo}-${sha.slice(0, 7)}`, files);
        return bytes.length > maxBytes ? { kind: 'too-large', maxBytes } : { kind: 'archive', bytes };
      }),
  };
  return host;
}

/** A folder's entries, from a flat map of paths; [] when the folder is absent. */
function listEntries(files: Record<string, string>, folder: string): DirectoryEntry[] {
  const wanted = folder.replace(/^\/|\/$/g, '');
  const entries = new Map<string, DirectoryEntry['type']>();
  for (const name of Object.keys(files).sort()) {
    if (wanted && !name.startsWith(`${wanted}/`)) continue;
    const [first, ...deeper] = (wanted ? name.slice(wanted.length + 1) : name).split('/');
    entries.set(first!, deeper.length > 0 ? 'dir' : 'file');
  }
  return [...entries].map(([name, type]) => ({ name, type }));
}

/** Whether GitHub takes an inline comment: every line it spans is a line of the file's diff on its side. */
function commentable(files: ChangedFile[], comment: ReviewDraft['comments'][number]): boolean {
  const file = files.find((candidate) => candidate.path === comment.path);
  const diff = file && parsePatch(file);
  if (!diff) return false;
  const onSide = (line: number, side: 'RIGHT' | 'LEFT') =>
    diff.hunks.some((hunk) => hunk.lines.some((candidate) => (side === 'RIGHT' ? candidate.kind !== 'del' && candidate.newLine === line : candidate.kind !== 'add' && candidate.oldLine === line)));
  if (!onSide(comment.line, comment.side)) return false;
  return comment.start_line === undefined || onSide(comment.start_line, comment.start_side ?? comment.side);
}

/** GitHub's tarball shape: one top folder (`owner-repo-sha/`) holding the tree. */
async function gzippedTar(top: string, files: Record<string, string>): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const read = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: `${top}/${path}`, mode: 0o644 }, content, (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await read;
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}
