import pLimit from 'p-limit';
import type { ProbotOctokit } from 'probot';
import type { CheckOutput, Comparison, DirectoryEntry, OwnComment, PullRequestHost, PullRequestInfo, PullRequestRef, ReviewThread } from '../../ports/pull-request-host.js';
import type { ChangedFile } from '../../review/types.js';
import { ServiceError } from '../../ports/service-error.js';
import { batchAnnotations } from './batch-annotations.js';
import { configFromFiles, mergeConfigs } from './merge-config-files.js';
import { gitHubLearningHost, restUser } from './github-learning-host.js';
import { readCapped } from './read-capped.js';
import { toServiceError } from './to-service-error.js';

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Pages of the files listing requested at once (well under GitHub's 100 concurrent requests). */
const PAGE_CONCURRENCY = 4;

/** The files API lists at most 3,000 files, 100 per page at most (https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files). */
const FILES_PER_PAGE = 100;
export const MAX_LISTED_FILES = 3000;

/** PullRequestHost over one installation's Probot Octokit: the only place that knows GitHub's REST shapes. */
export function createGitHubHost(octokit: Octokit): PullRequestHost {
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toServiceError(error, action);
    }
  };

  /**
   * Markers prove nothing about who wrote a body, and any bot (a workflow's github-actions[bot] included) can
   * post one. Once the App's own login is known — from the check run it created or resumed — only bodies by that
   * login count; before, any bot's.
   */
  let ownLogin: string | undefined;
  const learnOwnLogin = (app: { slug?: string | undefined } | null | undefined) => {
    if (app?.slug) ownLogin = `${app.slug}[bot]`;
  };
  const isOwn = (user: { login: string; type?: string } | null | undefined): boolean => {
    if (!user) return false;
    return ownLogin ? user.login.toLowerCase() === ownLogin.toLowerCase() : user.type === 'Bot';
  };

  /** For a server that names only the next page (no `rel="last"`): follow the links one by one. */
  const listSequentially = async (params: { owner: string; repo: string; pull_number: number; per_page: number }): Promise<ChangedFile[]> => {
    const files: ChangedFile[] = [];
    for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, params)) {
      for (const file of page.data) files.push(toChangedFile(file));
      if (files.length >= MAX_LISTED_FILES) break;
    }
    return files.slice(0, MAX_LISTED_FILES);
  };

  /** The pull request's conversation comments of its own that carry a marker, oldest first. */
  const ownComments = async (ref: PullRequestRef): Promise<OwnComment[]> => {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, per_page: 100 });
    return comments.filter((comment) => isOwn(comment.user) && comment.body?.includes(MARKER)).map((comment) => ({ id: comment.id, body: comment.body ?? '' }));
  };

  return {
    learnOwnIdentity: (appSlug) => learnOwnLogin({ slug: appSlug ?? undefined }),
    // What a team taught Bulwark is trusted only from bodies by the App's known login, never from any bot's.
    ...gitHubLearningHost(octokit, { call, isOwn: (user) => ownLogin !== undefined && isOwn(user) }),

    getPullRequest: (ref) =>
      call('reading the pull request', async () => {
        const { data } = await octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber });
        return {
          number: data.number,
          state: data.state === 'open' ? 'open' : 'closed',
          merged: data.merged === true,
          draft: data.draft === true,
          title: data.title,
          body: data.body ?? '',
          author: { login: data.user.login, isBot: data.user.type === 'Bot' || data.user.login.endsWith('[bot]'), association: data.author_association },
          headSha: data.head.sha,
          baseSha: data.base.sha,
          baseRef: data.base.ref,
          defaultBranch: data.base.repo.default_branch,
          changedFiles: data.changed_files,
        } satisfies PullRequestInfo;
      }),

    listFiles: (ref) =>
      call('listing the pull request files', async () => {
        const params = { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, per_page: FILES_PER_PAGE };
        // Pages are parsed by JSON.parse itself: Octokit's parser calls a reviver on every value (to keep integers
        // beyond 2^53 exact), which on a 3,000-file PR cost ~50 ms and ~17 MB of garbage for nothing (no such
        // numbers in a file listing). Retries, throttling and errors are Octokit's as for any other request.
        const page = async (number?: number) => {
          const response = await octokit.rest.pulls.listFiles({ ...params, ...(number ? { page: number } : {}), request: { parseSuccessResponseBody: false } });
          // Octokit's types describe the parsed list; unparsed, `data` is the response's body stream.
          return { link: response.headers.link, body: response.data as unknown as ReadableStream<Uint8Array> | null };
        };
        // The first page without `page`, as paginate() asks for it (the fallback below then sends the same request).
        const first = await page();
        const link = first.link;
        if (lastPage(link) === 1 && /rel="next"/.test(link ?? '')) {
          await first.body?.cancel();
          return listSequentially(params);
        }
        const firstFiles = await readFilesPage(first.body);
        const last = Math.min(lastPage(link), MAX_LISTED_FILES / FILES_PER_PAGE);
        // GitHub names the last page in the Link header: fetch the rest a few at a time instead of one by one. Each
        // page is kept as our ChangedFiles only: the response (headers, URLs, the API's other fields) goes at once.
        const limit = pLimit(PAGE_CONCURRENCY);
        const rest = await Promise.all(
          Array.from({ length: Math.max(0, last - 1) }, (_, index) =>
            limit(async () => readFilesPage((await page(index + 2)).body)),
          ),
        );
        return [firstFiles, ...rest].flat().slice(0, MAX_LISTED_FILES);
      }),

    readConfig: (ref, file) =>
      call(`reading .github/${file}`, async () => {
        // Same lookup as Probot's context.config: default branch only, org `.github` fallback, `_extends`; merged as
        // merge-config-files.ts says (lists replaced), an `_extends` target that does not exist named in the result.
        const { config, files } = await octokit.config.get({ owner: ref.owner, repo: ref.repo, path: `.github/${file}`, defaults: mergeConfigs });
        return configFromFiles(files, config);
      }),

    readFile: (ref, path, at) =>
      call(`reading ${path}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getContent({ owner: ref.owner, repo: ref.repo, path, ref: at, mediaType: { format: 'raw' } });
          return decodeRaw(data);
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),

    listDirectory: (ref, path, at) =>
      call(`listing ${path || 'the repository root'}`, async () => {
        try {
          const { data } = await octokit.rest.repos.getContent({ owner: ref.owner, repo: ref.repo, path, ref: at });
          if (!Array.isArray(data)) return [];
          return data.map((entry) => ({ name: entry.name, type: entry.type === 'file' || entry.type === 'dir' ? entry.type : 'other' }) satisfies DirectoryEntry);
        } catch (error) {
          if (statusOf(error) === 404) return [];
          throw error;
        }
      }),

    createCheckRun: (ref, start) =>
      call('creating the check run', async () => {
        const { data } = await octokit.rest.checks.create({
          owner: ref.owner,
          repo: ref.repo,
          name: start.name,
          head_sha: start.headSha,
          external_id: start.externalId,
          status: 'in_progress',
          started_at: new Date().toISOString(),
          ...(start.output ? { output: toOctokitOutput(start.output) } : {}),
        });
        learnOwnLogin(data.app);
        return { id: data.id };
      }),

    updateCheckRun: (ref, checkRunId, output) =>
      call('updating the check run', async () => {
        await octokit.rest.checks.update({
          owner: ref.owner,
          repo: ref.repo,
          check_run_id: checkRunId,
          output: toOctokitOutput(output),
        });
      }),

    completeCheckRun: (ref, checkRunId, completion) =>
      call('completing the check run', async () => {
        const { annotations, ...base } = completion.output;
        const check = { owner: ref.owner, repo: ref.repo, check_run_id: checkRunId };
        const complete = (output: CheckOutput) =>
          octokit.rest.checks.update({
            ...check,
            status: 'completed',
            conclusion: completion.conclusion,
            completed_at: new Date().toISOString(),
            output: toOctokitOutput(output),
            ...(completion.actions?.length ? { actions: completion.actions } : {}),
          });
        // GitHub takes at most 50 annotations per request and appends those of each further update
        // (https://docs.github.com/en/rest/checks/runs#update-a-check-run): all but the last batch first, the last
        // with the completion. A rejected annotation must not leave the check in progress: on a 422 it is completed
        // without them (the review has them all).
        const batches = batchAnnotations(annotations ?? []);
        try {
          for (const batch of batches.slice(0, -1)) await octokit.rest.checks.update({ ...check, output: toOctokitOutput({ ...base, annotations: batch }) });
          await complete(annotations ? { ...base, annotations: batches.at(-1) ?? [] } : base);
        } catch (error) {
          if (!annotations || statusOf(error) !== 422) throw error;
          await complete(base);
        }
      }),

    getPermission: (ref, login) =>
      call('checking the commenter\'s permission', async () => {
        try {
          const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: ref.owner, repo: ref.repo, username: login });
          // `permission` folds maintain into write and triage into read; `role_name` keeps them apart.
          const role = (data.role_name || data.permission).toLowerCase();
          return PERMISSIONS.find((known) => known === role) ?? 'none';
        } catch (error) {
          if (statusOf(error) === 404) return 'none';
          throw error;
        }
      }),

    addReaction: (ref, commentId, content, on = 'issue-comment') =>
      call('reacting to the comment', async () => {
        const params = { owner: ref.owner, repo: ref.repo, comment_id: commentId, content };
        if (on === 'review-comment') await octokit.rest.reactions.createForPullRequestReviewComment(params);
        else await octokit.rest.reactions.createForIssueComment(params);
      }),

    listOwnCommentEntries: (ref) => call('listing the pull request comments', () => ownComments(ref)),

    getComment: (ref, commentId) =>
      call('reading a comment', async () => {
        try {
          const { data } = await octokit.rest.issues.getComment({ owner: ref.owner, repo: ref.repo, comment_id: commentId });
          return { id: data.id, body: data.body ?? '', author: { login: data.user?.login ?? '', isBot: data.user?.type === 'Bot' } };
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),

    updateComment: (ref, commentId, body) =>
      call('updating a comment', async () => {
        await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: commentId, body });
      }),

    upsertOwnComment: (ref, update) =>
      call('updating its comment', async () => {
        // The comments come oldest first (https://docs.github.com/en/rest/issues/comments#list-issue-comments).
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, per_page: 100 });
        const found = comments.find((comment) => isOwn(comment.user) && update.matches(comment.body ?? ''));
        const body = update.render(found?.body ?? undefined);
        if (!found) await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, body });
        else if (body !== found.body) await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: found.id, body });
      }),

    listThreadComments: (ref, rootCommentId) =>
      call('reading a review thread', async () => {
        // REST has no listing of one thread: the pull request's review comments, the thread's picked out
        // (https://docs.github.com/en/rest/pulls/comments#list-review-comments-on-a-pull-request).
        const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, per_page: 100 });
        return comments
          .filter((comment) => comment.id === rootCommentId || comment.in_reply_to_id === rootCommentId)
          .map((comment) => ({
            id: comment.id,
            body: comment.body,
            author: { login: comment.user?.login ?? '', isBot: comment.user?.type === 'Bot' },
            inReplyTo: comment.in_reply_to_id ?? undefined,
            own: isOwn(comment.user),
            path: comment.path,
            line: comment.line ?? undefined,
            side: comment.side === 'LEFT' || comment.side === 'RIGHT' ? comment.side : undefined,
            diffHunk: comment.diff_hunk,
          }));
      }),

    replyInThread: (ref, rootCommentId, body) =>
      call('replying in a review thread', async () => {
        // https://docs.github.com/en/rest/pulls/comments#create-a-reply-for-a-review-comment
        const { data } = await octokit.rest.pulls.createReplyForReviewComment({ owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, comment_id: rootCommentId, body });
        return { id: data.id };
      }),

    listOwnComments: (ref) => call('listing the pull request comments', async () => (await ownComments(ref)).map((comment) => comment.body)),

    listOwnReviews: (ref) =>
      call('listing the pull request reviews', async () => {
        const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
          owner: ref.owner,
          repo: ref.repo,
          pull_number: ref.pullNumber,
          per_page: 100,
        });
        return reviews.filter((review) => isOwn(review.user) && review.body.includes(MARKER)).map((review) => review.body);
      }),

    listCheckRuns: (ref, headSha, name) =>
      call('listing check runs', async () => {
        const { data } = await octokit.rest.checks.listForRef({ owner: ref.owner, repo: ref.repo, ref: headSha, check_name: name, filter: 'all', per_page: 100 });
        return data.check_runs.map((run) => ({ id: run.id, externalId: run.external_id, status: run.status, conclusion: run.conclusion, title: run.output?.title ?? null, appSlug: run.app?.slug ?? null }));
      }),

    createComment: (ref, body) =>
      call('posting a comment', async () => {
        await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, body });
      }),

    downloadTarball: (ref, sha, maxBytes) =>
      call('downloading the repository snapshot', async () => {
        // The body as a stream (Octokit's `parseSuccessResponseBody: false`), so its size is checked before it is held.
        const { data, headers } = await octokit.rest.repos.downloadTarballArchive({ owner: ref.owner, repo: ref.repo, ref: sha, request: { parseSuccessResponseBody: false } });
        return readCapped(data as unknown as ReadableStream<Uint8Array> | null, headers['content-length'], maxBytes);
      }),

    compareCommits: (ref, base, head) =>
      call('comparing commits', async () => {
        try {
          const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: ref.owner, repo: ref.repo, basehead: `${base}...${head}`, per_page: 100 });
          const files = (data.files ?? []).map((file) => file.filename);
          // The compare API lists at most 300 files, on its first page only.
          return { status: data.status, files, truncated: files.length >= 300 } satisfies Comparison;
        } catch (error) {
          if (statusOf(error) === 404) return { status: 'missing', files: [], truncated: false } satisfies Comparison;
          throw error;
        }
      }),

    listOwnReviewThreads: (ref) =>
      call('listing review threads', async () => {
        const threads: ReviewThread[] = [];
        let cursor: string | null = null;
        do {
          const page: ThreadsPage = await octokit.graphql<ThreadsPage>(THREADS_QUERY, { owner: ref.owner, repo: ref.repo, number: ref.pullNumber, cursor });
          const connection = page.repository?.pullRequest?.reviewThreads;
          for (const node of connection?.nodes ?? []) {
            const first = node.comments.nodes[0];
            if (!first || !isOwn(restUser(first.author)) || !first.body.includes(MARKER)) continue;
            threads.push({ id: node.id, path: node.path, isResolved: node.isResolved, isOutdated: node.isOutdated, body: first.body, ...(typeof first.databaseId === 'number' ? { rootCommentId: first.databaseId } : {}) });
          }
          cursor = connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
        } while (cursor);
        return threads;
      }),

    resolveReviewThread: (_ref, threadId) =>
      call('resolving a review thread', async () => {
        await octokit.graphql('mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id } } }', { id: threadId });
      }),

    createReview: (ref, review) =>
      call('posting the review', async () => {
        const { data } = await octokit.rest.pulls.createReview({
          owner: ref.owner,
          repo: ref.repo,
          pull_number: ref.pullNumber,
          commit_id: review.commitId,
          body: review.body,
          event: review.event,
          comments: review.comments,
          // Not re-sent by Octokit's retry plugin (which retries any 5xx, POST included): a 502 can come after
          // GitHub created the review. The job's own retry looks for the review's marker before posting again.
          request: { retries: 0 },
        });
        return { id: data.id };
      }),
  };
}

/** The raw media type arrives as text, or as bytes when GitHub labels it with a non-text content type. */
function decodeRaw(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
  return undefined;
}

/** The `rel="last"` page of a Link header (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api); 1 without one. */
export function lastPage(link: string | undefined): number {
  const match = link?.match(/<([^>]+)>;\s*rel="last"/);
  const page = match ? Number(new URL(match[1]!).searchParams.get('page')) : 1;
  return Number.isInteger(page) && page > 1 ? page : 1;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

function toOctokitOutput(output: CheckOutput) {
  return {
    title: output.title,
    summary: output.summary,
    ...(output.text ? { text: output.text } : {}),
    ...(output.annotations?.length ? { annotations: output.annotations } : {}),
  };
}

interface RawFile {
  filename: string;
  previous_filename?: string | null;
  status: string;
  additions: number;
  deletions: number;
  patch?: string | null;
}

const MARKER = '<!-- bulwark:';

/** Review threads are only in GraphQL (resolution state, outdated flag): https://docs.github.com/en/graphql/reference/objects#pullrequestreviewthread */
const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { id path isResolved isOutdated comments(first: 1) { nodes { databaseId body author { __typename login } } } }
      }
    }
  }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { id: string; path: string; isResolved: boolean; isOutdated: boolean; comments: { nodes: { databaseId?: number | null; body: string; author: { __typename: string; login: string } | null }[] } }[];
      };
    } | null;
  } | null;
}

const PERMISSIONS = ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const;

const STATUSES = ['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged'] as const;

/**
 * A page of the files listing, from the body stream Octokit hands over with `parseSuccessResponseBody: false`.
 * Anything that is not an array of files is refused, naming the first thing wrong, rather than reviewed as
 * something else.
 */
async function readFilesPage(body: ReadableStream<Uint8Array> | null): Promise<ChangedFile[]> {
  const text = await new Response(body).text();
  // Retryable: a proxy's error page or a cut-off body can pass on a second try.
  const malformed = (what: string) => new ServiceError('github', `GitHub listing the pull request files failed: ${what}`, { retryable: true });
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw malformed('the answer is not JSON');
  }
  if (!Array.isArray(items)) throw malformed('the answer is not a list of files');
  return items.map((item: unknown, index) => {
    if (!isRawFile(item)) throw malformed(`entry ${index + 1} of a page has no file name, status or line counts`);
    return toChangedFile(item);
  });
}

function isRawFile(item: unknown): item is RawFile {
  if (typeof item !== 'object' || item === null) return false;
  const file = item as Record<string, unknown>;
  return (
    typeof file.filename === 'string' &&
    typeof file.status === 'string' &&
    typeof file.additions === 'number' &&
    typeof file.deletions === 'number' &&
    (file.patch === undefined || file.patch === null || typeof file.patch === 'string') &&
    (file.previous_filename === undefined || file.previous_filename === null || typeof file.previous_filename === 'string')
  );
}

function toChangedFile(file: RawFile): ChangedFile {
  const status = STATUSES.find((known) => known === file.status) ?? 'modified';
  return {
    path: file.filename,
    ...(file.previous_filename ? { previousPath: file.previous_filename } : {}),
    status,
    additions: file.additions,
    deletions: file.deletions,
    ...(typeof file.patch === 'string' ? { patch: file.patch } : {}),
  };
}

