import nock from 'nock';
import { lineText } from '../../src/review/line-text.js';
import { fingerprint } from '../../src/review/fingerprint.js';
import { validateFindings } from '../../src/review/findings-schema.js';
import { selectFiles } from '../../src/review/select-files.js';
import type { ChangedFile } from '../../src/review/types.js';
import { PR, REPO_PATH } from './github-stand-in.js';
import { GITHUB } from './test-app.js';

/** Nock helpers for the later pipeline stages: paged files, compare, review threads (GraphQL), tarball, outputs. */

type Body = Record<string, unknown>;

/** A REST file as `file()` in github-stand-in builds it. */
export interface RestFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
}

/** The files API over as many pages as it takes (100 per page, `link` naming the next and last page like GitHub); no reviews mock. */
export function mockFilePages(files: RestFile[], perPage = 100): nock.Scope {
  const scope = nock(GITHUB);
  const pages = Math.max(1, Math.ceil(files.length / perPage));
  for (let page = 1; page <= pages; page += 1) {
    const query = page === 1 ? { per_page: String(perPage) } : { per_page: String(perPage), page: String(page) };
    const pageUrl = (number: number) => `<${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=${perPage}&page=${number}>`;
    const link = page < pages ? { link: `${pageUrl(page + 1)}; rel="next", ${pageUrl(pages)}; rel="last"` } : {};
    scope.get(`${REPO_PATH}/pulls/${PR}/files`).query(query).reply(200, files.slice((page - 1) * perPage, page * perPage), link);
  }
  return scope;
}

/** The body of a review Bulwark posted earlier, as GitHub returns it. */
export function earlierReviewBody(head: string, run = 'auto'): string {
  return `## 🛡️ Bulwark review\n\nEarlier findings.\n\n<!-- bulwark:review ${JSON.stringify({ head, run })} -->`;
}

/** `GET /repos/{o}/{r}/compare/{base}...{head}`: `status` and the file names, or 404 when the base is gone. */
export function mockCompare(base: string, head: string, answer: { status: string; files: string[] } | 404): nock.Scope {
  const interceptor = nock(GITHUB).get(`${REPO_PATH}/compare/${base}...${head}`).query({ per_page: '100' });
  if (answer === 404) return interceptor.reply(404, { message: 'Not Found' });
  return interceptor.reply(200, {
    status: answer.status,
    ahead_by: answer.files.length,
    behind_by: answer.status === 'diverged' ? 3 : 0,
    total_commits: answer.files.length,
    commits: [],
    files: answer.files.map((filename) => ({ sha: 'abc', filename, status: 'modified', additions: 1, deletions: 0, changes: 1 })),
  });
}

export interface ThreadNode {
  id: string;
  path: string;
  isResolved?: boolean;
  isOutdated?: boolean;
  body: string;
  /** `Bot` unless said otherwise. */
  authorType?: string;
}

export interface GraphqlCall {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * `POST /graphql` for the review-threads query (one page per element of `pages`, linked by cursors) and the
 * `resolveReviewThread` mutation. Every query and every mutation is recorded with its variables.
 */
export function mockReviewThreads(pages: ThreadNode[][], options: { expectResolve?: boolean } = {}): { queries: GraphqlCall[]; resolved: GraphqlCall[] } {
  const calls = { queries: [] as GraphqlCall[], resolved: [] as GraphqlCall[] };
  const isQuery = (body: Body | string) => typeof body === 'object' && String(body.query).includes('reviewThreads');
  const isMutation = (body: Body | string) => typeof body === 'object' && String(body.query).includes('resolveReviewThread');
  pages.forEach((nodes, index) => {
    nock(GITHUB)
      .post('/graphql', (body: Body | string) => isQuery(body) && ((body as Body).variables as Body).cursor === (index === 0 ? null : `cursor-${index}`))
      .reply(async (request: Request) => {
        const body = (await request.json()) as GraphqlCall;
        calls.queries.push(body);
        const hasNextPage = index < pages.length - 1;
        return [
          200,
          {
            data: {
              repository: {
                pullRequest: {
                  reviewThreads: {
                    pageInfo: { hasNextPage, endCursor: hasNextPage ? `cursor-${index + 1}` : null },
                    nodes: nodes.map(threadJson),
                  },
                },
              },
            },
          },
        ];
      });
  });
  if (options.expectResolve !== false) {
    nock(GITHUB)
      .persist()
      .post('/graphql', isMutation)
      .reply(async (request: Request) => {
        const body = (await request.json()) as GraphqlCall;
        calls.resolved.push(body);
        return [200, { data: { resolveReviewThread: { thread: { id: body.variables.id } } } }];
      });
  }
  return calls;
}

function threadJson(node: ThreadNode) {
  return {
    id: node.id,
    path: node.path,
    isResolved: node.isResolved ?? false,
    isOutdated: node.isOutdated ?? false,
    comments: { nodes: [{ body: node.body, author: { __typename: node.authorType ?? 'Bot', login: node.authorType === 'User' ? 'octocat' : 'bulwark' } }] },
  };
}

/** The first comment of an inline thread Bulwark posted for a finding with this fingerprint. */
export function threadBody(fp: string, title = 'Earlier finding'): string {
  return `**high** · ${title}\n\nDetails.\n\n<!-- bulwark:finding ${JSON.stringify({ fp })} -->`;
}

/**
 * The fingerprint the pipeline gives a raw model finding on these PR files: validated like the model's output,
 * its line's text read from the parsed diff.
 */
export function fingerprintOf(raw: Record<string, unknown>, files: RestFile[]): string {
  const changed: ChangedFile[] = files.map((file) => ({
    path: file.filename,
    status: file.status as ChangedFile['status'],
    additions: file.additions,
    deletions: file.deletions,
    ...(file.patch === undefined ? {} : { patch: file.patch }),
  }));
  const diff = selectFiles(changed, { include: ['**/*'], exclude: [] }).files;
  const [finding] = validateFindings([raw]).findings;
  if (!finding) throw new Error('the finding does not validate');
  return fingerprint(finding, lineText(diff, finding.path, finding.line, finding.side ?? 'RIGHT'));
}

/** `GET /repos/{o}/{r}/tarball/{sha}` answered 200 with the archive (Octokit would follow GitHub's 302 to the same bytes). */
export function mockTarball(sha: string, archive: Buffer): { downloads: number } {
  const seen = { downloads: 0 };
  nock(GITHUB)
    .persist()
    .get(`${REPO_PATH}/tarball/${sha}`)
    .reply(() => {
      seen.downloads += 1;
      return [200, archive, { 'content-type': 'application/x-gzip' }];
    });
  return seen;
}

/** Every PATCH of the check run (annotation batches, then completion), recorded as it is answered. */
export function captureCheckUpdates(id = 7): Body[] {
  const updates: Body[] = [];
  nock(GITHUB)
    .persist()
    .patch(`${REPO_PATH}/check-runs/${id}`)
    .reply(async (request: Request) => {
      updates.push((await request.json()) as Body);
      return [200, { id }];
    });
  return updates;
}

/** The posted reviews; `optional` when a test allows none to be posted. */
export function captureReviews(options: { optional?: boolean } = {}): Body[] {
  const reviews: Body[] = [];
  const interceptor = nock(GITHUB).persist().post(`${REPO_PATH}/pulls/${PR}/reviews`);
  if (options.optional) interceptor.optionally();
  interceptor.reply(async (request: Request) => {
    reviews.push((await request.json()) as Body);
    return [200, { id: 99 }];
  });
  return reviews;
}

/** The completed check's summary (the last update). */
export function summaryOf(updates: Body[]): string {
  const last = updates.at(-1);
  if (!last) throw new Error('the check run was never updated');
  return String((last.output as Body).summary);
}
