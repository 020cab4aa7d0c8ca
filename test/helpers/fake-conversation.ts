import { OWNER, PR, REPO, REPO_PATH } from './github-stand-in.js';

type Body = Record<string, unknown>;
type Answer = [number, unknown, Record<string, string>?];
type User = { login: string; type: string };

/** The App behind the fake: `GET /app` names it, and its comments are by `bulwark[bot]`. */
export const APP_SLUG = 'bulwark';
const BOT: User = { login: `${APP_SLUG}[bot]`, type: 'Bot' };

/** A pull request review comment as the REST API lists it: a thread's first comment, or a reply (`in_reply_to_id`). */
export interface FakeReviewComment {
  id: number;
  body: string;
  user: User;
  path: string;
  line: number | null;
  side: 'RIGHT' | 'LEFT';
  diff_hunk: string;
  in_reply_to_id?: number;
  author_association?: string;
}

export interface FakeIssueComment {
  id: number;
  body: string;
  user: User;
}

export interface FakeConversationOptions {
  /** Conversation comments already on the pull request. */
  comments?: (Omit<FakeIssueComment, 'user'> & { user?: User })[];
  /** Review comments already on the pull request (threads and replies). */
  reviewComments?: (Omit<FakeReviewComment, 'user' | 'line' | 'side' | 'diff_hunk'> & Partial<Pick<FakeReviewComment, 'user' | 'line' | 'side' | 'diff_hunk'>>)[];
  /** Role per login (collaborator permission API); a login not listed answers 404 (no collaborator). */
  permissions?: Record<string, string>;
  /**
   * Review comments on earlier pull requests of the repository (`pull`): only the repository-wide listings show them
   * (the learning reads), never the fixture pull request's own.
   */
  history?: (Omit<FakeReviewComment, 'user' | 'line' | 'side' | 'diff_hunk'> & { pull: number; user?: User })[];
}

export interface FakeConversation {
  comments: FakeIssueComment[];
  reviewComments: FakeReviewComment[];
  /** Reactions added, with what they were added to. */
  reactions: { on: 'issue-comment' | 'review-comment'; commentId: number; content: string }[];
  /** GraphQL ids of the threads resolved. */
  resolved: Set<string>;
  /** Who resolved a thread (by GraphQL id), when a person did (`resolveAs`). */
  resolvedBy: Map<string, User>;
  /** Reactions people gave to review comments (the App's own are in `reactions`). */
  peopleReactions: { commentId: number; user: User; content: string }[];
  /** A person reacts to a review comment (`+1`, `-1`, …), as GitHub lists it back. */
  react(commentId: number, login: string, content: string): void;
  /** A person resolves the thread that starts with `rootId`. */
  resolveAs(rootId: number, login: string): void;
  /** Adds a review comment as a person writes it (e.g. a reply in a thread); returns it. */
  reply(rootId: number, body: string, user: User): FakeReviewComment;
  /** The conversation's routes: an answer, or undefined when the route is not one of them. */
  route(method: string, path: string, body: unknown): Answer | undefined;
  /** Every inline comment of an accepted review opens a thread, as on GitHub. */
  reviewPosted(review: Body): void;
}

/**
 * The conversation half of the fake GitHub (fake-github.ts): conversation comments, review comments and their
 * threads (REST, and GraphQL's review threads with their resolution), reactions, permissions and the App itself.
 */
export function fakeConversation(options: FakeConversationOptions = {}): FakeConversation {
  let nextId = 5000;
  const history = (options.history ?? []).map((comment) => ({ user: BOT, line: 12, side: 'RIGHT' as const, diff_hunk: '@@ -10,4 +10,5 @@', ...comment }));
  const state: FakeConversation = {
    comments: (options.comments ?? []).map((comment) => ({ user: BOT, ...comment })),
    reviewComments: (options.reviewComments ?? []).map((comment) => ({ user: BOT, line: 12, side: 'RIGHT', diff_hunk: '@@ -10,4 +10,5 @@', ...comment })),
    reactions: [],
    resolved: new Set(),
    resolvedBy: new Map(),
    peopleReactions: [],
    react: (commentId, login, content) => void state.peopleReactions.push({ commentId, user: { login, type: 'User' }, content }),
    resolveAs: (rootId, login) => {
      state.resolved.add(`thread-${rootId}`);
      state.resolvedBy.set(`thread-${rootId}`, { login, type: 'User' });
    },
    reply: (rootId, body, user) => {
      const root = state.reviewComments.find((comment) => comment.id === rootId);
      if (!root) throw new Error(`no review comment ${rootId}`);
      const reply: FakeReviewComment = { ...root, id: nextId++, body, user, in_reply_to_id: rootId };
      state.reviewComments.push(reply);
      return reply;
    },
    reviewPosted: (review) => {
      for (const comment of (review.comments ?? []) as { path: string; body: string; line: number; side?: 'RIGHT' | 'LEFT' }[]) {
        state.reviewComments.push({ id: nextId++, body: comment.body, user: BOT, path: comment.path, line: comment.line, side: comment.side ?? 'RIGHT', diff_hunk: '@@ -10,4 +10,5 @@' });
      }
    },
    route: (method, path, body) => {
      if (method === 'GET' && path === '/app') return [200, { id: 1, slug: APP_SLUG, name: 'Bulwark' }];
      const permission = path.match(new RegExp(`^${REPO_PATH}/collaborators/([^/]+)/permission$`));
      if (method === 'GET' && permission) {
        const role = options.permissions?.[decodeURIComponent(permission[1]!)];
        if (role === undefined) return [404, { message: 'Not Found' }];
        return [200, { permission: role === 'maintain' ? 'write' : role, role_name: role, user: { login: permission[1] } }];
      }
      if (path === `${REPO_PATH}/issues/${PR}/comments`) {
        if (method === 'GET') return [200, state.comments];
        if (method === 'POST') {
          const comment = { id: nextId++, body: String((body as Body).body), user: BOT };
          state.comments.push(comment);
          return [201, comment];
        }
      }
      const issueComment = path.match(new RegExp(`^${REPO_PATH}/issues/comments/(\\d+)$`));
      if (issueComment) {
        const found = state.comments.find((comment) => comment.id === Number(issueComment[1]));
        if (!found) return [404, { message: 'Not Found' }];
        if (method === 'GET') return [200, found];
        if (method === 'PATCH') {
          found.body = String((body as Body).body);
          return [200, found];
        }
      }
      const reaction = path.match(new RegExp(`^${REPO_PATH}/(issues|pulls)/comments/(\\d+)/reactions$`));
      if (method === 'POST' && reaction) {
        state.reactions.push({ on: reaction[1] === 'issues' ? 'issue-comment' : 'review-comment', commentId: Number(reaction[2]), content: String((body as Body).content) });
        return [201, { id: 1, content: (body as Body).content }];
      }
      if (method === 'GET' && path === `${REPO_PATH}/pulls/${PR}/comments`) return [200, state.reviewComments];
      // The repository's comments across pull requests (one pull request here), with their address and reactions.
      if (method === 'GET' && path === `${REPO_PATH}/pulls/comments`) return [200, [...state.reviewComments.map((comment) => ({ ...comment, pull: PR })), ...history].map(({ pull, ...comment }) => ({ ...comment, html_url: `${pageOf(pull)}#discussion_r${comment.id}`, reactions: rollup(comment.id) }))];
      if (method === 'GET' && path === `${REPO_PATH}/issues/comments`) return [200, state.comments.map((comment) => ({ ...comment, html_url: `${pageOf(PR)}#issuecomment-${comment.id}` }))];
      const peopleReactions = path.match(new RegExp(`^${REPO_PATH}/pulls/comments/(\\d+)/reactions$`));
      if (method === 'GET' && peopleReactions) {
        return [200, state.peopleReactions.filter((reaction) => reaction.commentId === Number(peopleReactions[1])).map((reaction, index) => ({ id: index + 1, user: reaction.user, content: reaction.content }))];
      }
      const replies = path.match(new RegExp(`^${REPO_PATH}/pulls/${PR}/comments/(\\d+)/replies$`));
      if (method === 'POST' && replies) {
        const root = state.reviewComments.find((comment) => comment.id === Number(replies[1]));
        if (!root) return [404, { message: 'Not Found' }];
        return [201, state.reply(root.id, String((body as Body).body), BOT)];
      }
      if (method === 'POST' && path === '/graphql') return graphql(body as Body);
      return undefined;
    },
  };

  const graphql = (request: Body): Answer => {
    const query = String(request.query ?? '');
    const variables = (request.variables ?? {}) as Body;
    if (query.includes('resolveReviewThread')) {
      state.resolved.add(String(variables.id));
      return [200, { data: { resolveReviewThread: { thread: { id: variables.id } } } }];
    }
    if (query.includes('BulwarkResolvedThreads')) return [200, { data: { repository: { pullRequests: { nodes: [{ reviewThreads: { nodes: repositoryThreads() } }] } } } }];
    const nodes = state.reviewComments
      .filter((comment) => comment.in_reply_to_id === undefined)
      .map((root) => ({
        id: `thread-${root.id}`,
        path: root.path,
        isResolved: state.resolved.has(`thread-${root.id}`),
        isOutdated: false,
        comments: { nodes: [{ databaseId: root.id, body: root.body, author: author(root.user) }] },
      }));
    return [200, { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } }];
  };
  /** A login as GraphQL names it: a bot by its slug. */
  const author = (user: User) => ({ __typename: user.type === 'Bot' ? 'Bot' : 'User', login: user.login.replace(/\[bot\]$/, '') });
  /** The threads of the repository's recent pull requests, as the learning query asks for them (with who resolved each). */
  const repositoryThreads = () =>
    [...state.reviewComments.map((comment) => ({ ...comment, pull: PR })), ...history]
      .filter((comment) => comment.in_reply_to_id === undefined)
      .map((root) => ({
        isResolved: state.resolved.has(`thread-${root.id}`),
        isOutdated: false,
        resolvedBy: ((user) => (user ? author(user) : null))(state.resolvedBy.get(`thread-${root.id}`)),
        comments: { nodes: [{ url: `${pageOf(root.pull)}#discussion_r${root.id}`, body: root.body, author: author(root.user) }] },
      }));
  /** A pull request's page on GitHub: comments' `html_url` are anchors on it. */
  const pageOf = (pull: number) => `https://github.com/${OWNER}/${REPO}/pull/${pull}`;
  /** GitHub's reaction rollup of a review comment. */
  const rollup = (commentId: number) => {
    const given = state.peopleReactions.filter((reaction) => reaction.commentId === commentId);
    return { total_count: given.length, '+1': given.filter((reaction) => reaction.content === '+1').length, '-1': given.filter((reaction) => reaction.content === '-1').length };
  };
  return state;
}
