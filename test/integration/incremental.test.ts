import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, ANTHROPIC, assertNockDone, createTestApp, GITHUB, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { file, HEAD, mockCreateCheck, mockEarlierReviews, mockPullRequest, mockRepoConfig, mockRepoFiles, OWNER, PR, REPO, REPO_PATH, USERS_PATCH } from '../helpers/github-stand-in.js';
import { filesInRequest, finding, messageResponse } from '../helpers/model-stand-in.js';
import {
  captureCheckUpdates,
  captureReviews,
  earlierReviewBody,
  fingerprintOf,
  mockCompare,
  mockFilePages,
  mockReviewThreads,
  summaryOf,
  threadBody,
} from '../helpers/pipeline-mocks.js';
import type { RestFile, ThreadNode } from '../helpers/pipeline-mocks.js';

type Body = Record<string, unknown>;

/**
 * A push after a first review: only what changed since the reviewed sha is reviewed, nothing already said in
 * an open thread is said again, threads whose finding is gone are resolved, and anything that makes the
 * comparison untrustworthy (force-push, a vanished sha, `/review full`) falls back to a full review.
 */

const OLD = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';
const USERS = 'src/server/routes/users.ts';
const ORDERS = 'src/server/routes/orders.ts';
const ORDERS_PATCH = ['@@ -3,3 +3,4 @@ export function ordersRoute(app) {', '   app.get("/orders", async (req, res) => {', '+    const all = await db.orders.findMany();', '     res.json(all);', '   });'].join('\n');
const PR_FILES: RestFile[] = [file(USERS, USERS_PATCH), file(ORDERS, ORDERS_PATCH)];
const CONFIG = 'review:\n  on: [opened, reopened, ready_for_review, synchronize]\n';

/** Line 12 of users.ts (the interpolated query) and a second issue on line 13, as the model reports them. */
const SQL = finding();
const LEAK = finding({ line: 13, existing_code: '    res.json(rows[0]);', severity: 'medium', category: 'reliability', rule: 'BE-REL-1', title: 'Missing row is sent as undefined' });

let app: TestApp;

beforeEach(async () => {
  setupNock();
  app = await createTestApp();
});

afterEach(() => {
  assertNockDone();
});

function captureModel(findings: unknown[]) {
  const requests: Body[] = [];
  nock(ANTHROPIC)
    .post('/v1/messages', (body: Body) => {
      requests.push(body);
      return true;
    })
    .reply(200, messageResponse({ findings }));
  return requests;
}

/** Everything up to the files: token, config with synchronize, check run, the PR, its files and an earlier review of OLD. */
function mockRunStart(earlier: string[] = [earlierReviewBody(OLD)]) {
  mockInstallationToken();
  mockRepoConfig(CONFIG);
  mockCreateCheck();
  mockPullRequest();
  mockRepoFiles();
  mockFilePages(PR_FILES);
  mockEarlierReviews(earlier.map((body) => ({ body })));
}

async function receiveSynchronize() {
  const payload = fixture<Record<string, unknown>>('pull_request.synchronize.json');
  await app.probot.receive({ id: 'delivery-sync', name: 'pull_request', payload: { ...payload, before: OLD } as never });
  await app.queue.onIdle();
}

describe('synchronize after a first review', () => {
  it('reviews only the files changed since the reviewed sha', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, { status: 'ahead', files: [USERS] });
    const threads = mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(model).toHaveLength(1);
    expect(filesInRequest(model[0]!)).toEqual([USERS]);
    expect(threads.queries).toHaveLength(1);
    expect(threads.queries[0]!.query).toMatch(/reviewThreads\(first: 100, after: \$cursor\)/);
    expect(threads.queries[0]!.variables).toEqual({ owner: OWNER, repo: REPO, number: PR, cursor: null });
    const summary = summaryOf(updates);
    expect(summary).toContain(`Incremental review: 1 file(s) of this pull request changed since \`${OLD.slice(0, 7)}\``);
    expect(summary).toContain('Reviewed 1 file.');
  });

  it('does not repeat a finding an open thread already carries, and resolves outdated threads whose finding is gone', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, { status: 'ahead', files: [USERS] });
    const repeated = fingerprintOf(SQL, PR_FILES);
    const gone = '00000000deadbeef';
    // Two pages of threads, so the cursor is followed.
    const pages: ThreadNode[][] = [
      [
        { id: 'T-repeat', path: USERS, body: threadBody(repeated, SQL.title as string) },
        { id: 'T-stale', path: USERS, isOutdated: true, body: threadBody(gone) },
        { id: 'T-current-line', path: USERS, isOutdated: false, body: threadBody('1111111111111111') },
      ],
      [
        { id: 'T-not-rereviewed', path: ORDERS, isOutdated: true, body: threadBody('2222222222222222') },
        { id: 'T-already-resolved', path: USERS, isOutdated: true, isResolved: true, body: threadBody('3333333333333333') },
        { id: 'T-human', path: USERS, isOutdated: true, authorType: 'User', body: threadBody('4444444444444444') },
      ],
    ];
    const threads = mockReviewThreads(pages);
    captureModel([SQL, LEAK]);
    const reviews = captureReviews();
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(threads.queries.map((call) => call.variables.cursor)).toEqual([null, 'cursor-1']);
    // Only the new finding is posted; the repeat is counted, not posted.
    expect(reviews).toHaveLength(1);
    const comments = reviews[0]!.comments as Body[];
    expect(comments).toEqual([expect.objectContaining({ path: USERS, line: 13 })]);
    expect(String(comments[0]!.body)).not.toContain(repeated);
    expect(JSON.stringify(reviews[0])).not.toContain(SQL.title as string);
    // Exactly the outdated thread on a re-reviewed file whose finding is gone, through the mutation.
    expect(threads.resolved).toHaveLength(1);
    expect(threads.resolved[0]!.query).toMatch(/mutation\(\$id: ID!\) \{ resolveReviewThread\(input: \{ threadId: \$id \}\)/);
    expect(threads.resolved[0]!.variables).toEqual({ id: 'T-stale' });
    const summary = summaryOf(updates);
    expect(summary).toContain('1 finding(s) already reported in open review threads were not repeated.');
    expect(summary).toContain('Resolved 1 earlier thread(s) whose finding is gone.');
  });

  it('posts no review at all when every finding is already in an open thread', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, { status: 'ahead', files: [USERS] });
    mockReviewThreads([[{ id: 'T-repeat', path: USERS, body: threadBody(fingerprintOf(SQL, PR_FILES)) }]], { expectResolve: false });
    captureModel([SQL]);
    const reviews = captureReviews({ optional: true });
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(reviews).toHaveLength(0);
    // The high finding is still in the code and its thread still open: the check must not pass as if it were fixed.
    expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(summaryOf(updates)).toContain('1 finding(s) already reported in open review threads were not repeated.');
  });

  it('does not review files that only came in by merging the base branch, and says so', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, { status: 'ahead', files: [USERS, 'src/billing/invoices.ts', 'src/billing/ledger.ts'] });
    mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(filesInRequest(model[0]!)).toEqual([USERS]);
    expect(JSON.stringify(model[0])).not.toContain('src/billing/');
    const summary = summaryOf(updates);
    expect(summary).toContain('Incremental review: 1 file(s) of this pull request changed');
    expect(summary).toContain('2 file(s) changed only by merging the base branch were not reviewed');
  });

  it('reviews everything after a force-push (the old sha is no longer an ancestor)', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, { status: 'diverged', files: [USERS] });
    mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(filesInRequest(model[0]!).sort()).toEqual([ORDERS, USERS]);
    const summary = summaryOf(updates);
    expect(summary).toContain('Full review: the history since the last review was rewritten (force-push) or is gone.');
    expect(summary).toContain('Reviewed 2 files.');
  });

  it('reviews everything when the reviewed sha is gone (compare answers 404)', async () => {
    mockRunStart();
    mockCompare(OLD, HEAD, 404);
    mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(filesInRequest(model[0]!).sort()).toEqual([ORDERS, USERS]);
    expect(summaryOf(updates)).toContain('Full review:');
  });

  it('skips a push whose head was already reviewed, without comparing or calling the model', async () => {
    mockInstallationToken();
    mockRepoConfig(CONFIG);
    mockCreateCheck();
    mockPullRequest();
    mockFilePages(PR_FILES);
    mockEarlierReviews([{ body: earlierReviewBody(HEAD) }]);
    const updates = captureCheckUpdates();

    await receiveSynchronize();

    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'skipped' });
  });
});

describe('/review commands after a first review', () => {
  const COMMENT_ID = 4242;

  function commentPayload(body: string) {
    return {
      action: 'created',
      issue: { number: PR, pull_request: { url: `${GITHUB}${REPO_PATH}/pulls/${PR}` }, state: 'open' },
      // GitHub always sends the commenter's association; a maintainer of an organisation's repository is a MEMBER.
      comment: { id: COMMENT_ID, body, user: { login: 'maintainer', type: 'User' }, author_association: 'MEMBER' },
      repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
      sender: { login: 'maintainer', type: 'User' },
      installation: { id: 1 },
    };
  }

  /** Permission check and reaction, then the run reads the PR for its head (once: the review goes on with it). */
  function mockCommandStart() {
    mockInstallationToken();
    nock(GITHUB)
      .get(`${REPO_PATH}/collaborators/maintainer/permission`)
      .reply(200, { permission: 'write', role_name: 'write', user: { login: 'maintainer' } })
      .post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`, { content: 'eyes' })
      .reply(201, { id: 1, content: 'eyes' });
    mockPullRequest();
    mockRepoConfig(CONFIG);
    mockCreateCheck();
    mockRepoFiles();
    mockFilePages(PR_FILES);
    mockEarlierReviews([{ body: earlierReviewBody(OLD) }]);
  }

  async function receiveComment(body: string) {
    await app.probot.receive({ id: 'delivery-comment', name: 'issue_comment', payload: commentPayload(body) as never });
    await app.queue.onIdle();
  }

  it('`/review full` reviews every file, without comparing against the last reviewed sha', async () => {
    mockCommandStart();
    mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveComment('/review full');

    expect(filesInRequest(model[0]!).sort()).toEqual([ORDERS, USERS]);
    const summary = summaryOf(updates);
    expect(summary).not.toContain('Incremental review');
    expect(summary).toContain('Reviewed 2 files.');
  });

  it('`/review` reviews only what changed since the last review', async () => {
    mockCommandStart();
    mockCompare(OLD, HEAD, { status: 'ahead', files: [ORDERS] });
    mockReviewThreads([[]], { expectResolve: false });
    const model = captureModel([]);
    const updates = captureCheckUpdates();

    await receiveComment('/review');

    expect(filesInRequest(model[0]!)).toEqual([ORDERS]);
    expect(summaryOf(updates)).toContain('Incremental review: 1 file(s)');
  });
});
