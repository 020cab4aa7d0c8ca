import nock from 'nock';
import { DEFAULT_BRANCH, HEAD, OWNER, PR, pullRequestData, REPO, REPO_PATH } from './github-stand-in.js';
import { fakeConversation } from './fake-conversation.js';
import type { FakeConversation, FakeConversationOptions } from './fake-conversation.js';
import { GITHUB } from './test-app.js';

type Body = Record<string, unknown>;

/**
 * A stateful GitHub over nock, for tests where one job makes many calls and may run more than once (retries):
 * check runs, reviews and the files listing behave like GitHub's, and faults are injected per route.
 *
 * Every route is optional to nock (a test asserts on `requests`, `reviews` and `checkRuns` instead), and any
 * call the fake does not know is answered 404 and recorded in `unexpected`, so a test can insist there is none.
 */

export interface Fault {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Matched against the request path (query excluded), e.g. /\/pulls\/2\/reviews$/. */
  path: RegExp;
  /** Default 500. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Fail the connection instead of answering. */
  networkError?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** GitHub did what was asked, then answered with the fault (a 502 after the review was created). */
  applied?: boolean;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  externalId: string;
  status: string;
  conclusion: string | undefined;
  output: Body | undefined;
  /** The create body, then every PATCH body, in order. */
  updates: Body[];
}

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
}

export interface FakeGitHubOptions {
  /** Entries of the pull-request files API, in order (see `file()` in github-stand-in). */
  files?: unknown[];
  /** Overrides of the pulls API answer. */
  pullRequest?: Record<string, unknown>;
  /** `.github/bulwark.yml` on the default branch; absent: no config. */
  config?: string;
  /** Files of the repository at the base sha (agents, skills). */
  repoFiles?: Record<string, string>;
  /**
   * Config files of other repositories on their default branch, keyed `owner/repo:path`: the owner's `.github`
   * repository and `_extends` targets, as Probot's config plugin reads them (no ref). Any other: 404.
   */
  otherConfigs?: Record<string, string>;
  /** Reviews already on the pull request. */
  reviews?: { body: string; user?: { login: string; type: string } }[];
  /** Conversation comments, review threads, permissions (fake-conversation.ts). */
  conversation?: FakeConversationOptions;
}

export interface FakeGitHub {
  requests: RecordedCall[];
  /** Review create requests GitHub accepted (the review exists). */
  reviews: Body[];
  /** Every review create request, accepted or not. */
  reviewAttempts: Body[];
  checkRuns: CheckRunRecord[];
  /** Requests no route of the fake serves. */
  unexpected: string[];
  fail(fault: Fault): void;
  /** The only check run; throws when there is none or several. */
  check(): CheckRunRecord;
  count(method: string, path: RegExp): number;
  /** Comments, review threads and their replies, reactions, resolved threads. */
  conversation: FakeConversation;
}

const BOT = { login: 'bulwark[bot]', type: 'Bot' };
/** The App behind the fake's check runs, as GitHub names it in check-run responses. */
const APP = { id: 1, slug: 'bulwark' };

export function fakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  const faults: (Fault & { left: number })[] = [];
  const state: FakeGitHub = {
    requests: [],
    reviews: [],
    reviewAttempts: [],
    checkRuns: [],
    unexpected: [],
    fail: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    check: () => {
      if (state.checkRuns.length !== 1) throw new Error(`expected one check run, found ${state.checkRuns.length}`);
      return state.checkRuns[0]!;
    },
    count: (method, path) => state.requests.filter((request) => request.method === method && path.test(request.path)).length,
    conversation: fakeConversation(options.conversation),
  };
  const existingReviews = (options.reviews ?? []).map((review) => ({ user: BOT, ...review }));
  const files = options.files ?? [];

  const route = (method: string, path: string, query: URLSearchParams, body: unknown): [number, unknown, Record<string, string>?] => {
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: 'ghs_fake', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { pull_requests: 'write', checks: 'write', contents: 'read' } }];
    }
    if (method === 'GET' && path === `${REPO_PATH}/contents/.github/bulwark.yml` && !query.has('ref')) {
      return options.config === undefined ? [404, { message: 'Not Found' }] : [200, options.config, { 'content-type': 'text/plain; charset=utf-8' }];
    }
    const elsewhere = path.match(/^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/);
    if (method === 'GET' && elsewhere && !query.has('ref') && `/repos/${elsewhere[1]}/${elsewhere[2]}` !== REPO_PATH) {
      const text = options.otherConfigs?.[`${elsewhere[1]}/${elsewhere[2]}:${elsewhere[3]}`];
      return text === undefined ? [404, { message: 'Not Found' }] : [200, text, { 'content-type': 'text/plain; charset=utf-8' }];
    }
    if (method === 'GET' && path.startsWith(`${REPO_PATH}/contents`) && query.has('ref')) return contents(path, query.get('ref') ?? '');
    const listing = path.match(new RegExp(`^${REPO_PATH}/commits/([^/]+)/check-runs$`));
    if (method === 'GET' && listing) {
      const runs = state.checkRuns
        .filter((run) => run.headSha === listing[1] && (!query.has('check_name') || query.get('check_name') === run.name))
        .map((run) => ({ id: run.id, name: run.name, head_sha: run.headSha, external_id: run.externalId, status: run.status, conclusion: run.conclusion ?? null, output: { title: run.output?.title ?? null, summary: run.output?.summary ?? null }, app: APP }));
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    if (method === 'POST' && path === `${REPO_PATH}/check-runs`) {
      const start = body as Body;
      const run: CheckRunRecord = {
        id: 7 + state.checkRuns.length,
        name: String(start.name),
        headSha: String(start.head_sha),
        externalId: String(start.external_id ?? ''),
        status: String(start.status ?? 'queued'),
        conclusion: undefined,
        output: start.output as Body | undefined,
        updates: [start],
      };
      state.checkRuns.push(run);
      return [201, { id: run.id, app: APP }];
    }
    const update = path.match(new RegExp(`^${REPO_PATH}/check-runs/(\\d+)$`));
    if (method === 'PATCH' && update) {
      const run = state.checkRuns.find((candidate) => candidate.id === Number(update[1]));
      if (!run) return [404, { message: 'Not Found' }];
      const patch = body as Body;
      run.updates.push(patch);
      if (typeof patch.status === 'string') run.status = patch.status;
      if (typeof patch.conclusion === 'string') run.conclusion = patch.conclusion;
      if (patch.output) run.output = patch.output as Body;
      return [200, { id: run.id }];
    }
    if (method === 'GET' && path === `${REPO_PATH}/pulls/${PR}`) return [200, pullRequestData({ changed_files: files.length, ...options.pullRequest })];
    if (method === 'GET' && path === `${REPO_PATH}/pulls/${PR}/files`) return filesPage(query);
    if (method === 'GET' && path === `${REPO_PATH}/pulls/${PR}/reviews`) {
      const all = [...existingReviews, ...state.reviews.map((review) => ({ user: BOT, body: review.body }))];
      return [200, all.map((review, index) => ({ id: index + 1, state: 'COMMENTED', ...review }))];
    }
    if (method === 'POST' && path === `${REPO_PATH}/pulls/${PR}/reviews`) {
      state.reviews.push(body as Body);
      state.conversation.reviewPosted(body as Body);
      return [200, { id: state.reviews.length }];
    }
    return state.conversation.route(method, path, body) ?? [404, { message: `fake GitHub has no route for ${method} ${path}` }];
  };

  /** 100 per page at most; a next link while files remain (GitHub stops at 3,000: the client must stop itself). */
  const filesPage = (query: URLSearchParams): [number, unknown, Record<string, string>] => {
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
    const page = Number(query.get('page') ?? 1);
    const headers: Record<string, string> = {};
    if (page * perPage < files.length) {
      // GitHub lists at most 3,000 files, so its last page is never beyond that.
      const last = Math.min(Math.ceil(files.length / perPage), Math.ceil(3000 / perPage));
      const pageUrl = (number: number) => `<${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=${perPage}&page=${number}>`;
      headers.link = `${pageUrl(page + 1)}; rel="next", ${pageUrl(last)}; rel="last"`;
    }
    return [200, files.slice((page - 1) * perPage, page * perPage), headers];
  };

  const contents = (path: string, ref: string): [number, unknown, Record<string, string>?] => {
    const repoFiles = options.repoFiles ?? {};
    const wanted = path.slice(`${REPO_PATH}/contents`.length).replace(/^\/|\/$/g, '');
    if (ref !== DEFAULT_BRANCH) return [404, { message: 'Not Found' }];
    if (wanted in repoFiles) return [200, repoFiles[wanted], { 'content-type': 'text/plain; charset=utf-8' }];
    const entries = new Map<string, 'file' | 'dir'>();
    for (const name of Object.keys(repoFiles)) {
      if (wanted && !name.startsWith(`${wanted}/`)) continue;
      const [first, ...deeper] = (wanted ? name.slice(wanted.length + 1) : name).split('/');
      entries.set(first!, deeper.length ? 'dir' : 'file');
    }
    if (wanted && entries.size === 0) return [404, { message: 'Not Found' }];
    return [200, [...entries].map(([name, type]) => ({ name, type, path: wanted ? `${wanted}/${name}` : name }))];
  };

  for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const) {
    nock(GITHUB)
      .persist()
      .intercept(() => true, method)
      .optionally()
      .reply(async (request: Request) => {
        const url = new URL(request.url);
        const path = decodeURIComponent(url.pathname);
        const text = await request.text();
        const body = parseBody(text);
        if (method === 'POST' && path === `${REPO_PATH}/pulls/${PR}/reviews`) state.reviewAttempts.push(body as Body);
        const fault = faults.find((candidate) => candidate.left > 0 && candidate.method === method && candidate.path.test(path));
        let answer: [number, unknown, Record<string, string>?];
        if (fault) {
          fault.left -= 1;
          if (fault.applied) route(method, path, url.searchParams, body);
          if (fault.networkError) {
            state.requests.push({ method, path, query: url.searchParams, body, status: 0 });
            throw new Error(fault.networkError);
          }
          answer = [fault.status ?? 500, fault.body ?? { message: 'fake fault' }, fault.headers ?? {}];
        } else {
          answer = route(method, path, url.searchParams, body);
          if (answer[0] === 404 && /no route/.test(JSON.stringify(answer[1]))) state.unexpected.push(`${method} ${path}${url.search}`);
        }
        state.requests.push({ method, path, query: url.searchParams, body, status: answer[0] });
        return [answer[0], answer[1] as nock.Body, answer[2] ?? {}] as const;
      });
  }
  return state;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The external id a job gives its check run (reviewJobId) for the fixture PR. */
export function fixtureJobId(run = 'auto', head = HEAD): string {
  return `review/1/${OWNER}/${REPO}/${PR}/${head}/${run}`;
}
