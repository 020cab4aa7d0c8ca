import type { ProbotOctokit } from 'probot';
import type { LearningHost, OwnReviewComment, ResolvedThread } from '../../ports/learning-host.js';

type Octokit = InstanceType<typeof ProbotOctokit>;

/** What the GitHub host shares with its learning listings: its error wrapping, and how it tells its own comments. */
export interface GitHubHostParts {
  call: <T>(action: string, fn: () => Promise<T>) => Promise<T>;
  isOwn: (user: { login: string; type?: string } | null | undefined) => boolean;
}

const PER_PAGE = 100;
const MARKER = '<!-- bulwark:';

/**
 * LearningHost over one installation's Octokit. Every listing is the repository's, most recently updated first,
 * and stops after the pages it is allowed, so a read costs the same on a young and an old repository.
 */
export function gitHubLearningHost(octokit: Octokit, { call, isOwn }: GitHubHostParts): LearningHost {
  return {
    listOwnRepoReviewComments: (ref, maxPages) =>
      call('listing the repository review comments', async () => {
        // https://docs.github.com/en/rest/pulls/comments#list-review-comments-in-a-repository: each comment carries
        // its reactions rollup, so reactions cost no request of their own until someone reacted.
        const params = { owner: ref.owner, repo: ref.repo, sort: 'updated' as const, direction: 'desc' as const, per_page: PER_PAGE };
        const comments: OwnReviewComment[] = [];
        let pages = 0;
        for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listReviewCommentsForRepo, params)) {
          for (const comment of page.data) {
            if (!isOwn(comment.user) || !comment.body.includes(MARKER)) continue;
            comments.push({ id: comment.id, url: comment.html_url, body: comment.body, reactions: { up: comment.reactions?.['+1'] ?? 0, down: comment.reactions?.['-1'] ?? 0 } });
          }
          if ((pages += 1) >= maxPages) break;
        }
        return comments;
      }),

    listReviewCommentReactions: (ref, commentId) =>
      call('listing the reactions to a review comment', async () => {
        const { data } = await octokit.rest.reactions.listForPullRequestReviewComment({ owner: ref.owner, repo: ref.repo, comment_id: commentId, per_page: PER_PAGE });
        return data.flatMap((reaction) => (reaction.user ? [{ login: reaction.user.login, isBot: reaction.user.type === 'Bot', content: reaction.content }] : []));
      }),

    listOwnResolvedThreads: (ref, maxPullRequests) =>
      call('listing resolved review threads', async () => {
        const answer = await octokit.graphql<ResolvedThreadsPage>(RESOLVED_THREADS_QUERY, { owner: ref.owner, repo: ref.repo, count: Math.min(100, Math.max(1, maxPullRequests)) });
        const threads: ResolvedThread[] = [];
        for (const pullRequest of answer.repository?.pullRequests.nodes ?? []) {
          for (const thread of pullRequest?.reviewThreads.nodes ?? []) {
            const first = thread?.comments.nodes[0];
            if (!thread?.isResolved || !first || !isOwn(restUser(first.author)) || !first.body.includes(MARKER)) continue;
            const by = restUser(thread.resolvedBy);
            threads.push({ url: first.url, body: first.body, isOutdated: thread.isOutdated, resolvedBy: by && { login: by.login, isBot: by.type === 'Bot', own: isOwn(by) } });
          }
        }
        return threads;
      }),

    listRepoComments: (ref, maxPages) =>
      call('listing the repository comments', async () => {
        // https://docs.github.com/en/rest/issues/comments#list-issue-comments-for-a-repository (pull request
        // conversations included).
        const params = { owner: ref.owner, repo: ref.repo, sort: 'updated' as const, direction: 'desc' as const, per_page: PER_PAGE };
        const own: { id: number; url: string; body: string }[] = [];
        const listed: number[] = [];
        let pages = 0;
        let complete = true;
        for await (const page of octokit.paginate.iterator(octokit.rest.issues.listCommentsForRepo, params)) {
          for (const comment of page.data) {
            listed.push(comment.id);
            if (isOwn(comment.user) && comment.body?.includes(MARKER)) own.push({ id: comment.id, url: comment.html_url, body: comment.body });
          }
          pages += 1;
          // A next page exists when GitHub links one.
          if (pages >= maxPages && /rel="next"/.test(page.headers.link ?? '')) {
            complete = false;
            break;
          }
        }
        return { own, listed, complete };
      }),
  };
}

/** GraphQL names a bot `slug` where REST says `slug[bot]`; compared in REST's form. */
export function restUser(author: { __typename?: string; login: string } | null | undefined): { login: string; type: string } | undefined {
  if (!author) return undefined;
  const bot = author.__typename === 'Bot';
  return { login: bot && !author.login.endsWith('[bot]') ? `${author.login}[bot]` : author.login, type: bot ? 'Bot' : 'User' };
}

/**
 * Resolution is only in GraphQL (https://docs.github.com/en/graphql/reference/objects#pullrequestreviewthread):
 * the most recently updated pull requests, open or closed, and their threads (first 100 each), in one query.
 */
const RESOLVED_THREADS_QUERY = `query BulwarkResolvedThreads($owner: String!, $repo: String!, $count: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequests(first: $count, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes {
        reviewThreads(first: 100) {
          nodes { isResolved isOutdated resolvedBy { __typename login } comments(first: 1) { nodes { url body author { __typename login } } } }
        }
      }
    }
  }
}`;

interface ResolvedThreadsPage {
  repository: {
    pullRequests: {
      nodes: ({
        reviewThreads: {
          nodes: ({
            isResolved: boolean;
            isOutdated: boolean;
            resolvedBy: { __typename?: string; login: string } | null;
            comments: { nodes: { url: string; body: string; author: { __typename?: string; login: string } | null }[] };
          } | null)[];
        };
      } | null)[];
    };
  } | null;
}
