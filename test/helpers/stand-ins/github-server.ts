import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
}

export interface GitHubStandInOptions {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  files: StandInFile[];
  /** Added to every answer, to model GitHub's latency. */
  latencyMs?: number;
  /** Served at GHE's API prefix, as Probot uses it with GHE_HOST. */
  prefix?: string;
  /** Whether the pull request is a draft (default false); `setDraft` changes it, as marking it ready does. */
  draft?: boolean;
  /** `.github/bulwark.yml` on the default branch (raw YAML); absent: 404. */
  config?: string;
  /** Files of the head commit by path, served raw by the contents API at `headSha`; any other: 404. */
  headFiles?: Record<string, string>;
  /** `GET /compare/{base}...{head}`: `status` and the file names; absent: 404 (the base is gone). */
  compare?: { status: string; files: string[] };
  /** Review threads the GraphQL `reviewThreads` query lists (first comment by the bot). */
  threads?: StandInThread[];
  /** `GET /tarball/{sha}`: the gzipped archive; absent: 404. */
  tarball?: Uint8Array;
  /** Role per login for `GET /collaborators/{login}/permission`; a login not listed is no collaborator (404). */
  permissions?: Record<string, string>;
  /**
   * More pull requests of the repo, besides `pullNumber`: their head sha, or undefined for none (404). Each has the
   * same files and its own reviews and comments.
   */
  otherPullRequests?: (pullNumber: number) => string | undefined;
  /**
   * The slug of the App the token belongs to (default `bulwark`): the comments, reviews, replies and check runs it
   * writes are by `<slug>[bot]` (for a workflow token, `github-actions`).
   */
  botSlug?: string;
}

export interface StandInThread {
  id: string;
  path: string;
  isResolved?: boolean;
  isOutdated?: boolean;
  body: string;
}

/** An issue comment on a pull request's conversation, as the stand-in keeps it. */
export interface StandInIssueComment {
  id: number;
  pullNumber: number;
  body: string;
  user: { login: string; type: string };
}

/** A review comment (an inline comment, or a reply in its thread), as the stand-in keeps it. */
export interface StandInReviewComment {
  id: number;
  pullNumber: number;
  body: string;
  user: { login: string; type: string };
  path: string;
  line: number | undefined;
  side: string | undefined;
  diffHunk: string;
  /** The thread's first comment, for a reply. */
  inReplyTo: number | undefined;
}

/** A reaction the token added (`POST …/reactions`). */
export interface StandInReaction {
  on: 'issue-comment' | 'review-comment';
  commentId: number;
  content: string;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  externalId: string | null;
  status: string;
  conclusion: string | null;
  output: Record<string, unknown> | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  at: number;
  body: unknown;
}

export interface GitHubStandIn {
  url: string;
  host: string;
  requests: RecordedRequest[];
  reviews: Record<string, unknown>[];
  checkRuns: Map<number, Record<string, unknown>[]>;
  /** Thread ids the `resolveReviewThread` mutation was sent for. */
  resolvedThreads: string[];
  /**
   * Issue comments the token posted (`POST /issues/{n}/comments` bodies; an edit through `PATCH
   * /issues/comments/{id}` changes the body here too), listed back by `GET` with everyone else's.
   */
  comments: Record<string, unknown>[];
  /** Every issue comment of the repository, people's and the token's, oldest first. */
  issueComments: StandInIssueComment[];
  /** Every review comment of the repository: the reviews' inline comments, the replies in their threads. */
  reviewComments: StandInReviewComment[];
  /** Reactions the token added. */
  reactions: StandInReaction[];
  /** A person's comment on a pull request's conversation (the pull request of the options by default); its id. */
  addComment(body: string, login: string, pullNumber?: number): number;
  /** A person's reply in the review thread that `rootId` starts; its id. */
  addReply(rootId: number, body: string, login: string): number;
  /** Moves the pull request to a new head (a push): the pulls API answers it from now on. */
  setHead(sha: string): void;
  /** Makes the pull request a draft, or ready for review: the pulls API answers it from now on. */
  setDraft(draft: boolean): void;
  /** Each check run as it stands now: the create body merged with every update, in id order. */
  checkRunStates(): CheckRunState[];
  /** Forgets requests, reviews, check runs and resolved threads: the next review starts on a fresh PR. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local GitHub API for the endpoints Bulwark calls, over real HTTP: for end-to-end tests and benchmarks where
 * the connection itself matters (signatures, pagination headers, GHE base URL).
 */
export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const prefix = options.prefix ?? '/api/v3';
  const repoPath = `${prefix}/repos/${options.owner}/${options.repo}`;
  const requests: RecordedRequest[] = [];
  const reviews: Record<string, unknown>[] = [];
  const checkRuns = new Map<number, Record<string, unknown>[]>();
  const resolvedThreads: string[] = [];
  const comments: Record<string, unknown>[] = [];
  const issueComments: StandInIssueComment[] = [];
  const reviewComments: StandInReviewComment[] = [];
  const reactions: StandInReaction[] = [];
  /** The posted body of each of the token's issue comments, by id: an edit changes it. */
  const postedBodies = new Map<number, Record<string, unknown>>();
  /** The pull request of each entry of `reviews`. */
  const reviewPulls: number[] = [];
  const botSlug = options.botSlug ?? 'bulwark';
  const bot = { login: `${botSlug}[bot]`, type: 'Bot' };
  /** Ids of issue and review comments, as GitHub's: never reused within a run of the stand-in. */
  let nextCommentId = 1;
  const htmlUrl = (pullNumber: number, anchor: string) => `https://github.com/${options.owner}/${options.repo}/pull/${pullNumber}#${anchor}`;
  const addIssueComment = (pullNumber: number, body: string, user: { login: string; type: string }): StandInIssueComment => {
    const comment = { id: nextCommentId++, pullNumber, body, user };
    issueComments.push(comment);
    return comment;
  };
  const addReviewComment = (comment: Omit<StandInReviewComment, 'id'>): StandInReviewComment => {
    const stored = { id: nextCommentId++, ...comment };
    reviewComments.push(stored);
    return stored;
  };
  const restIssueComment = (comment: StandInIssueComment) => ({ id: comment.id, body: comment.body, user: comment.user, html_url: htmlUrl(comment.pullNumber, `issuecomment-${comment.id}`) });
  const restReviewComment = (comment: StandInReviewComment) => ({
    id: comment.id,
    body: comment.body,
    user: comment.user,
    path: comment.path,
    line: comment.line ?? null,
    side: comment.side ?? null,
    diff_hunk: comment.diffHunk,
    ...(comment.inReplyTo === undefined ? {} : { in_reply_to_id: comment.inReplyTo }),
    html_url: htmlUrl(comment.pullNumber, `discussion_r${comment.id}`),
    reactions: { total_count: 0, '+1': 0, '-1': 0 },
  });
  let headSha = options.headSha;
  let draft = options.draft ?? false;
  const headOf = (pullNumber: number) => (pullNumber === options.pullNumber ? headSha : options.otherPullRequests?.(pullNumber));
  let nextCheckId = 1;

  /** GitHub's view of a check run: later updates win, fields an update leaves out keep their value. */
  const checkRunState = (id: number, updates: Record<string, unknown>[]): CheckRunState => {
    const merged = Object.assign({}, ...updates) as Record<string, unknown>;
    return {
      id,
      name: String(merged.name ?? ''),
      headSha: String(merged.head_sha ?? ''),
      externalId: typeof merged.external_id === 'string' ? merged.external_id : null,
      status: typeof merged.status === 'string' ? merged.status : 'queued',
      conclusion: typeof merged.conclusion === 'string' ? merged.conclusion : null,
      output: merged.output as Record<string, unknown> | undefined,
    };
  };

  const server: Server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, at: performance.now(), body });
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      route(req.method ?? 'GET', url, body, res);
    });
  });

  const route = (method: string, url: URL, body: unknown, res: ServerResponse) => {
    const path = url.pathname;
    if (method === 'POST' && /\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return json(res, 201, { token: 'ghs_standin', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    }
    if (method === 'GET' && path.includes('/contents')) {
      if (options.config !== undefined && decodeURIComponent(path) === `${repoPath}/contents/.github/bulwark.yml`) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(options.config);
        return;
      }
      const headFile = url.searchParams.get('ref') === options.headSha ? options.headFiles?.[decodeURIComponent(path.slice(`${repoPath}/contents/`.length))] : undefined;
      if (headFile !== undefined) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(headFile);
        return;
      }
      return json(res, 404, { message: 'Not Found' });
    }
    if (method === 'GET' && path.startsWith(`${repoPath}/compare/`)) {
      if (!options.compare) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { status: options.compare.status, files: options.compare.files.map((filename) => ({ filename, status: 'modified', additions: 1, deletions: 0 })) });
    }
    if (method === 'GET' && path.startsWith(`${repoPath}/tarball/`)) {
      if (!options.tarball) return json(res, 404, { message: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(Buffer.from(options.tarball));
      return;
    }
    // Octokit's GraphQL client on GHE drops the /v3 of the REST prefix: /api/v3 → /api/graphql.
    if (method === 'POST' && path === `${prefix.replace(/\/v3$/, '')}/graphql`) return graphql(body as { query?: string; variables?: Record<string, unknown> }, res);
    const listing = path.match(/\/commits\/([^/]+)\/check-runs$/);
    if (method === 'GET' && listing) {
      // As GitHub: the runs on that commit, of that name when `check_name` is given, with the App that made them.
      const sha = decodeURIComponent(listing[1]!);
      const name = url.searchParams.get('check_name');
      const runs = [...checkRuns.entries()]
        .map(([id, updates]) => checkRunState(id, updates))
        .filter((run) => (run.headSha === '' || run.headSha === sha) && (name === null || run.name === '' || run.name === name))
        .map((run) => ({ id: run.id, name: run.name, head_sha: run.headSha, external_id: run.externalId, status: run.status, conclusion: run.conclusion, app: { id: 1, slug: botSlug } }));
      return json(res, 200, { total_count: runs.length, check_runs: runs });
    }
    const permission = path.match(new RegExp(`^${repoPath}/collaborators/([^/]+)/permission$`));
    if (method === 'GET' && permission) {
      const login = decodeURIComponent(permission[1]!);
      const role = options.permissions?.[login];
      if (role === undefined) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { permission: role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role, role_name: role, user: { login } });
    }
    // The repository's comments across its pull requests, most recently updated first, which a review reads to
    // learn from the team (one page: the stand-in holds few).
    if (method === 'GET' && path === `${repoPath}/pulls/comments`) return json(res, 200, [...reviewComments].reverse().map(restReviewComment));
    if (method === 'GET' && path === `${repoPath}/issues/comments`) return json(res, 200, [...issueComments].reverse().map(restIssueComment));
    const issueCommentById = path.match(new RegExp(`^${repoPath}/issues/comments/(\\d+)$`));
    if (issueCommentById) {
      const found = issueComments.find((comment) => comment.id === Number(issueCommentById[1]));
      if (!found) return json(res, 404, { message: 'Not Found' });
      if (method === 'GET') return json(res, 200, restIssueComment(found));
      if (method === 'PATCH') {
        found.body = String((body as { body?: unknown })?.body ?? '');
        const posted = postedBodies.get(found.id);
        if (posted) posted.body = found.body;
        return json(res, 200, restIssueComment(found));
      }
    }
    const reaction = path.match(new RegExp(`^${repoPath}/(issues|pulls)/comments/(\\d+)/reactions$`));
    if (method === 'POST' && reaction) {
      const content = String((body as { content?: unknown })?.content ?? '');
      reactions.push({ on: reaction[1] === 'issues' ? 'issue-comment' : 'review-comment', commentId: Number(reaction[2]), content });
      return json(res, 201, { id: reactions.length, content });
    }
    const threadReply = path.match(new RegExp(`^${repoPath}/pulls/(\\d+)/comments/(\\d+)/replies$`));
    if (method === 'POST' && threadReply) {
      const root = reviewComments.find((comment) => comment.id === Number(threadReply[2]) && comment.pullNumber === Number(threadReply[1]));
      if (!root) return json(res, 404, { message: 'Not Found' });
      const reply = addReviewComment({ ...root, body: String((body as { body?: unknown })?.body ?? ''), user: bot, inReplyTo: root.inReplyTo ?? root.id });
      return json(res, 201, restReviewComment(reply));
    }
    const issue = path.match(new RegExp(`^${repoPath}/(pulls|issues)/(\\d+)(/[a-z]+)?$`));
    const number = issue ? Number(issue[2]) : 0;
    const head = issue ? headOf(number) : undefined;
    if (issue && head === undefined) return json(res, 404, { message: 'Not Found' });
    if (issue?.[1] === 'issues' && issue[3] === '/comments') {
      if (method === 'GET') return json(res, 200, issueComments.filter((comment) => comment.pullNumber === number).map(restIssueComment));
      if (method === 'POST') {
        const posted = body as Record<string, unknown>;
        const comment = addIssueComment(number, String(posted?.body ?? ''), bot);
        comments.push(posted);
        postedBodies.set(comment.id, posted);
        return json(res, 201, restIssueComment(comment));
      }
    }
    if (method === 'GET' && issue?.[1] === 'pulls' && issue[3] === '/comments') return json(res, 200, reviewComments.filter((comment) => comment.pullNumber === number).map(restReviewComment));
    if (method === 'GET' && issue?.[1] === 'pulls' && issue[3] === '/reviews') {
      const listed = reviews.filter((_review, index) => reviewPulls[index] === number);
      return json(res, 200, listed.map((review, index) => ({ id: index + 1, body: review.body, user: bot })));
    }
    if (method === 'POST' && path === `${repoPath}/check-runs`) {
      const id = nextCheckId++;
      checkRuns.set(id, [body as Record<string, unknown>]);
      // As GitHub: the run is the token's App's.
      return json(res, 201, { id, app: { id: 1, slug: botSlug } });
    }
    const check = path.match(new RegExp(`^${repoPath}/check-runs/(\\d+)$`));
    if (method === 'PATCH' && check) {
      checkRuns.get(Number(check[1]))?.push(body as Record<string, unknown>);
      return json(res, 200, { id: Number(check[1]) });
    }
    if (method === 'GET' && issue?.[1] === 'pulls' && issue[3] === undefined) return json(res, 200, pullRequest({ ...options, pullNumber: number, headSha: head!, draft }));
    if (method === 'GET' && issue?.[1] === 'pulls' && issue[3] === '/files') return files(url, res);
    if (method === 'POST' && issue?.[1] === 'pulls' && issue[3] === '/reviews') {
      const review = body as Record<string, unknown>;
      reviews.push(review);
      reviewPulls.push(number);
      // Each inline comment starts a thread of its own, with the file's patch as its hunk.
      for (const inline of (review.comments ?? []) as { path: string; line?: number; side?: string; body: string }[]) {
        const patch = options.files.find((file) => file.filename === inline.path)?.patch ?? '';
        addReviewComment({ pullNumber: number, body: inline.body, user: bot, path: inline.path, line: inline.line, side: inline.side ?? 'RIGHT', diffHunk: patch, inReplyTo: undefined });
      }
      return json(res, 200, { id: reviews.length });
    }
    return json(res, 404, { message: `stand-in has no route for ${method} ${path}` });
  };

  const graphql = (body: { query?: string; variables?: Record<string, unknown> }, res: ServerResponse) => {
    const query = body?.query ?? '';
    if (query.includes('resolveReviewThread')) {
      resolvedThreads.push(String(body.variables?.id));
      return json(res, 200, { data: { resolveReviewThread: { thread: { id: body.variables?.id } } } });
    }
    if (query.includes('BulwarkResolvedThreads')) return json(res, 200, { data: { repository: { pullRequests: { nodes: [] } } } });
    if (query.includes('reviewThreads')) {
      const given = (options.threads ?? []).map((thread) => ({
        id: thread.id,
        path: thread.path,
        isResolved: thread.isResolved ?? resolvedThreads.includes(thread.id),
        isOutdated: thread.isOutdated ?? false,
        comments: { nodes: [{ body: thread.body, author: { __typename: 'Bot', login: botSlug } }] },
      }));
      // The threads the reviews' inline comments started, GraphQL naming a bot by its slug alone.
      const started = reviewComments
        .filter((comment) => comment.inReplyTo === undefined && comment.pullNumber === Number(body.variables?.number ?? options.pullNumber))
        .map((comment) => ({
          id: `thread-${comment.id}`,
          path: comment.path,
          isResolved: resolvedThreads.includes(`thread-${comment.id}`),
          isOutdated: false,
          comments: {
            nodes: [{ databaseId: comment.id, body: comment.body, author: comment.user.type === 'Bot' ? { __typename: 'Bot', login: comment.user.login.replace(/\[bot\]$/, '') } : { __typename: 'User', login: comment.user.login } }],
          },
        }));
      const nodes = [...given, ...started];
      return json(res, 200, { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } });
    }
    return json(res, 200, { errors: [{ message: 'stand-in does not know this query' }] });
  };

  const files = (url: URL, res: ServerResponse) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const listed = options.files.slice(0, 3000);
    const slice = listed.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < listed.length) {
      const next = new URL(url.href);
      next.searchParams.set('page', String(page + 1));
      const lastUrl = new URL(url.href);
      lastUrl.searchParams.set('page', String(Math.ceil(listed.length / perPage)));
      // GitHub names the next and the last page.
      headers.link = `<${baseUrl}${next.pathname.replace(prefix, '')}${next.search}>; rel="next", <${baseUrl}${lastUrl.pathname.replace(prefix, '')}${lastUrl.search}>; rel="last"`;
    }
    json(res, 200, slice, headers);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const baseUrl = `http://${host}${prefix}`;

  return {
    url: baseUrl,
    host,
    requests,
    reviews,
    checkRuns,
    resolvedThreads,
    comments,
    issueComments,
    reviewComments,
    reactions,
    addComment: (text, login, pullNumber = options.pullNumber) => addIssueComment(pullNumber, text, { login, type: 'User' }).id,
    addReply: (rootId, text, login) => {
      const root = reviewComments.find((comment) => comment.id === rootId);
      if (!root) throw new Error(`no review comment ${rootId} to reply to`);
      return addReviewComment({ ...root, body: text, user: { login, type: 'User' }, inReplyTo: rootId }).id;
    },
    setHead: (sha) => {
      headSha = sha;
    },
    setDraft: (value) => {
      draft = value;
    },
    checkRunStates: () => [...checkRuns.entries()].map(([id, updates]) => checkRunState(id, updates)),
    reset: () => {
      requests.length = 0;
      reviews.length = 0;
      resolvedThreads.length = 0;
      comments.length = 0;
      issueComments.length = 0;
      reviewComments.length = 0;
      reactions.length = 0;
      postedBodies.clear();
      nextCommentId = 1;
      reviewPulls.length = 0;
      checkRuns.clear();
      headSha = options.headSha;
      draft = options.draft ?? false;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function pullRequest(options: GitHubStandInOptions) {
  return {
    number: options.pullNumber,
    state: 'open',
    merged: false,
    draft: options.draft ?? false,
    title: 'Add user lookup',
    body: 'Adds GET /users/:id.',
    user: { login: 'octocat', type: 'User' },
    head: { sha: options.headSha, ref: 'feature' },
    base: { sha: options.baseSha, ref: 'main', repo: { default_branch: 'main' } },
    changed_files: options.files.length,
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
