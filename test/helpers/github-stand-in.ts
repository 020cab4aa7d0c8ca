import nock from 'nock';
import { fixture, GITHUB } from './test-app.js';

export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const PR = 2;
export const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;

type Payload = { pull_request: Record<string, unknown> } & Record<string, unknown>;

export function openedPayload(overrides: Record<string, unknown> = {}): Payload {
  const payload = fixture<Payload>('pull_request.opened.json');
  return { ...payload, pull_request: { ...payload.pull_request, ...overrides } };
}

/** The pulls API answer for the fixture PR (the webhook's pull_request object has the same shape). */
export function pullRequestData(overrides: Record<string, unknown> = {}) {
  return { ...openedPayload().pull_request, ...overrides };
}

export function file(path: string, patch: string | undefined, extra: Record<string, unknown> = {}) {
  const lines = (patch ?? '').split('\n');
  return {
    sha: 'abc',
    filename: path,
    status: 'modified',
    additions: lines.filter((line) => line.startsWith('+')).length,
    deletions: lines.filter((line) => line.startsWith('-')).length,
    changes: lines.length,
    ...(patch === undefined ? {} : { patch }),
    ...extra,
  };
}

/** A realistic handler file: lines 10–14 of the head are in the diff, line 12 is added. */
export const USERS_PATCH = [
  '@@ -10,4 +10,5 @@ export function usersRoute(app) {',
  '   app.get("/users/:id", async (req, res) => {',
  '     const id = req.params.id;',
  '+    const rows = await db.query(`SELECT * FROM users WHERE id = ${id}`);',
  '-    const rows = await db.query("SELECT * FROM users WHERE id = $1", [id]);',
  '+    res.json(rows[0]);',
  '   });',
].join('\n');

/** The config lookup Probot's config plugin makes: the repo, then the owner's `.github` repo. */
export function mockNoRepoConfig(): nock.Scope {
  return nock(GITHUB)
    .get(`${REPO_PATH}/contents/.github%2Fbulwark.yml`)
    .reply(404, { message: 'Not Found' })
    .get(`/repos/${OWNER}/.github/contents/.github%2Fbulwark.yml`)
    .reply(404, { message: 'Not Found' });
}

export function mockRepoConfig(yaml: string): nock.Scope {
  return nock(GITHUB).get(`${REPO_PATH}/contents/.github%2Fbulwark.yml`).reply(200, yaml, { 'content-type': 'text/plain; charset=utf-8' });
}

/** A fresh run: the job finds no check run of its own on the head yet (exactly-once lookup) and creates one. */
export function mockCreateCheck(id = 7, inspect?: (body: Record<string, unknown>) => void, head = HEAD): nock.Scope {
  return nock(GITHUB)
    .get(`${REPO_PATH}/commits/${head}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] })
    .post(`${REPO_PATH}/check-runs`, (body: Record<string, unknown> | string) => {
      // nock may probe a matcher with another request's raw text (''): only the parsed body is the request.
      if (typeof body !== 'object') return false;
      inspect?.(body);
      return true;
    })
    .reply(201, { id });
}

export function mockPullRequest(overrides: Record<string, unknown> = {}): nock.Scope {
  return nock(GITHUB).get(`${REPO_PATH}/pulls/${PR}`).reply(200, pullRequestData(overrides));
}

export function mockFiles(files: unknown[]): nock.Scope {
  mockEarlierReviews([]);
  mockNoFeedback();
  return nock(GITHUB).get(`${REPO_PATH}/pulls/${PR}/files`).query({ per_page: '100' }).reply(200, files);
}

/**
 * A repository whose team taught Bulwark nothing yet: what a review reads to learn from it (src/learning) answers
 * empty, whether it is read or not (the cache may hold it). Optional and persisted, like the listings they stand for.
 */
export function mockNoFeedback(): void {
  nock(GITHUB).persist().get(`${REPO_PATH}/pulls/comments`).query(true).optionally().reply(200, []);
  nock(GITHUB).persist().get(`${REPO_PATH}/issues/comments`).query(true).optionally().reply(200, []);
  nock(GITHUB)
    .persist()
    .post('/graphql', (body: { query?: string } | string) => typeof body === 'object' && String(body.query).includes('BulwarkResolvedThreads'))
    .optionally()
    .reply(200, { data: { repository: { pullRequests: { nodes: [] } } } });
}

/**
 * Reviews already on the PR (Bulwark's are found by their marker): listed when the job starts and, when it has a
 * review to post, once more right before posting (optional here: a review with nothing to say posts nothing).
 */
export function mockEarlierReviews(reviews: { body: string; user?: { login: string; type: string } }[]): nock.Scope {
  const listing = reviews.map((review, index) => ({ id: index + 1, user: { login: 'bulwark[bot]', type: 'Bot' }, ...review }));
  const scope = nock(GITHUB).get(`${REPO_PATH}/pulls/${PR}/reviews`).query({ per_page: '100' }).reply(200, listing);
  nock(GITHUB).get(`${REPO_PATH}/pulls/${PR}/reviews`).query({ per_page: '100' }).optionally().reply(200, listing);
  // An automatic review looks for a `/review pause` marker among Bulwark's comments first (none here).
  nock(GITHUB).get(`${REPO_PATH}/issues/${PR}/comments`).query(true).optionally().reply(200, []);
  return scope;
}

export const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';

/** The fixture repository's default branch (`repository.default_branch`, also `pull_request.base.repo.default_branch`). */
export const DEFAULT_BRANCH = 'master';

/**
 * Serves the repo's files at the default branch through the contents API (folder listings and raw reads), and
 * records every ref asked for, so a test can prove the head (or a base the author chose) was never read.
 */
export function mockRepoFiles(files: Record<string, string> = {}, at = DEFAULT_BRANCH): { refs: string[]; paths: string[] } {
  return mockRepoFilesAt({ [at]: files });
}

/**
 * The refs a review read through the contents API, leaving out its reads of the pull request's own files at the
 * head (`changed`): those are the head text its hunks are widened from (src/context/widen-from-head.ts).
 */
export function refsBesidesWidening(seen: { refs: string[]; paths: string[] }, changed: readonly string[], head = HEAD): string[] {
  return seen.refs.filter((ref, index) => !(ref === head && changed.includes(seen.paths[index] ?? '')));
}

/** Whether a recorded request (its path decoded) read one of the pull request's `changed` files at the head, to widen its hunks. */
export function isWideningRead(request: { path: string; query: URLSearchParams }, changed: readonly string[], head = HEAD): boolean {
  return request.query.get('ref') === head && changed.some((path) => request.path === `${REPO_PATH}/contents/${path}`);
}

/** Like mockRepoFiles, with different files at each ref; any other ref has none. */
export function mockRepoFilesAt(filesByRef: Record<string, Record<string, string>>): { refs: string[]; paths: string[] } {
  const seen = { refs: [] as string[], paths: [] as string[] };
  const prefix = `${REPO_PATH}/contents`;
  nock(GITHUB)
    .persist()
    .get((uri: string) => (uri.startsWith(`${prefix}/`) || uri.startsWith(`${prefix}?`)) && /[?&]ref=/.test(uri))
    .reply((request: Request | string) => {
      // nock 15 hands the reply callback the fetch Request.
      const url = new URL(typeof request === 'string' ? request : request.url, GITHUB);
      const path = decodeURIComponent(url.pathname.slice(prefix.length)).replace(/^\/|\/$/g, '');
      const ref = url.searchParams.get('ref') ?? '';
      seen.refs.push(ref);
      seen.paths.push(path);
      const files = Object.hasOwn(filesByRef, ref) ? filesByRef[ref]! : undefined;
      if (!files) return [404, { message: 'Not Found' }];
      if (path in files) return [200, files[path], { 'content-type': 'text/plain; charset=utf-8' }];
      const entries = new Map<string, 'file' | 'dir'>();
      for (const name of Object.keys(files)) {
        if (path && !name.startsWith(`${path}/`)) continue;
        const rest = path ? name.slice(path.length + 1) : name;
        const [first, ...deeper] = rest.split('/');
        entries.set(first!, deeper.length ? 'dir' : 'file');
      }
      if (path && entries.size === 0) return [404, { message: 'Not Found' }];
      return [200, [...entries].map(([name, type]) => ({ name, type, path: path ? `${path}/${name}` : name }))];
    });
  return seen;
}
