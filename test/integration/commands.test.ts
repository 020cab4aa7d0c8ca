import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { ANTHROPIC, assertNockDone, createTestApp, fixture, GITHUB, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import {
  file,
  HEAD,
  mockCreateCheck,
  mockFiles,
  mockNoRepoConfig,
  mockPullRequest,
  mockRepoFiles,
  OWNER,
  PR,
  REPO,
  REPO_PATH,
  USERS_PATCH,
} from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';

type Body = Record<string, unknown>;
type Payload = Record<string, unknown> & { comment: Body; issue: Body; sender: Body };

const COMMENT_ID = 492700400;

/** GitHub's own issue_comment.created payload, on a pull request of the fixture repo (as GitHub sends for PR conversations). */
function commentPayload(body: string, user: { login: string; type: string } = { login: 'maintainer', type: 'User' }, onPullRequest = true): Payload {
  const payload = fixture<Payload>('issue_comment.created.json');
  return {
    ...payload,
    repository: fixture<{ repository: unknown }>('pull_request.opened.json').repository,
    issue: { ...payload.issue, number: PR, ...(onPullRequest ? { pull_request: { url: `${GITHUB}${REPO_PATH}/pulls/${PR}` } } : {}) },
    comment: { ...payload.comment, id: COMMENT_ID, body, user: { ...(payload.comment.user as Body), ...user } },
    sender: { ...payload.sender, ...user },
  };
}

let app: TestApp;

beforeEach(async () => {
  setupNock();
  app = await createTestApp();
});

afterEach(() => {
  assertNockDone();
});

async function receiveComment(payload: Payload) {
  await app.probot.receive({ id: `delivery-${Math.random()}`, name: 'issue_comment', payload: payload as never });
  await app.queue.onIdle();
}

function mockPermission(login: string, role: string) {
  return nock(GITHUB).get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission: role === 'maintain' ? 'write' : role, role_name: role, user: { login } });
}

function mockReaction() {
  const reactions: Body[] = [];
  nock(GITHUB)
    .post(`${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`, (body: Body) => {
      reactions.push(body);
      return true;
    })
    .reply(201, { id: 1, content: 'eyes' });
  return reactions;
}

describe('/review commands', () => {
  it.each(['write', 'maintain', 'admin'])('reviews the current head when a user with %s permission asks, with an eyes reaction', async (role) => {
    const reviews: Body[] = [];
    const models: Body[] = [];
    mockInstallationToken();
    mockPermission('maintainer', role);
    const reactions = mockReaction();
    mockPullRequest();
    mockNoRepoConfig();
    mockCreateCheck();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    nock(ANTHROPIC)
      .post('/v1/messages', (body: Body) => models.push(body) > 0)
      .reply(200, messageResponse({ findings: [finding()] }));
    nock(GITHUB)
      .post(`${REPO_PATH}/pulls/${PR}/reviews`, (body: Body) => reviews.push(body) > 0)
      .reply(200, { id: 1 })
      .patch(`${REPO_PATH}/check-runs/7`)
      .reply(200, { id: 7 });

    await receiveComment(commentPayload('/review'));

    expect(reactions).toEqual([{ content: 'eyes' }]);
    expect(models).toHaveLength(1);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
    expect(reviews[0]!.body).toContain(`"run":"comment-${COMMENT_ID}"`);
  });

  it('gives a read-only user one short reply, no review and no model call — and no second reply', async () => {
    const replies: Body[] = [];
    mockInstallationToken();
    mockPermission('visitor', 'read');
    nock(GITHUB)
      .get(`${REPO_PATH}/issues/${PR}/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/${PR}/comments`, (body: Body) => replies.push(body) > 0)
      .reply(201, { id: 5 });

    await receiveComment(commentPayload('/review', { login: 'visitor', type: 'User' }));

    expect(replies).toHaveLength(1);
    const reply = replies[0]!.body as string;
    expect(reply).toMatch(/write, maintain or admin/);
    expect(reply).not.toMatch(/@visitor/);
    assertNockDone();

    mockPermission('visitor', 'read');
    nock(GITHUB)
      .get(`${REPO_PATH}/issues/${PR}/comments`)
      .query(true)
      .reply(200, [{ id: 5, body: reply, user: { login: 'bulwark[bot]', type: 'Bot' } }]);

    await receiveComment(commentPayload('/review full', { login: 'visitor', type: 'User' }));
  });

  it('answers /review help with the command list and reviews nothing', async () => {
    const replies: Body[] = [];
    mockInstallationToken();
    mockPermission('maintainer', 'write');
    mockReaction();
    nock(GITHUB)
      .post(`${REPO_PATH}/issues/${PR}/comments`, (body: Body) => replies.push(body) > 0)
      .reply(201, { id: 6 });

    await receiveComment(commentPayload('/review help'));

    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain('/review full');
  });

  it('makes one job of a /review repeated by one maintainer while the first is queued: one permission lookup, one review', async () => {
    const models: Body[] = [];
    let lookups = 0;
    mockInstallationToken();
    nock(GITHUB)
      .persist()
      .get(`${REPO_PATH}/collaborators/maintainer/permission`)
      .reply(() => [200, { permission: 'write', role_name: 'write', user: { login: 'maintainer' }, lookup: (lookups += 1) }]);
    mockReaction();
    mockPullRequest();
    mockNoRepoConfig();
    mockCreateCheck();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    nock(ANTHROPIC)
      .post('/v1/messages', (body: Body) => models.push(body) > 0)
      .reply(200, messageResponse({ findings: [] }));
    nock(GITHUB).patch(`${REPO_PATH}/check-runs/7`).reply(200, { id: 7 });

    // Delivered together, as a burst of comments is: every one is acknowledged before the first job starts.
    await Promise.all(
      Array.from({ length: 5 }, (_, index) => {
        const payload = commentPayload('/review');
        // Five comments: the first is the one that gets the reaction.
        return app.probot.receive({ id: `delivery-burst-${index}`, name: 'issue_comment', payload: { ...payload, comment: { ...payload.comment, id: COMMENT_ID + index } } as never });
      }),
    );
    await app.queue.onIdle();

    expect(lookups).toBe(1);
    expect(models).toHaveLength(1);
  });

  it.each(['CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'NONE', 'MANNEQUIN'])(
    'ignores /review by a commenter whose association is %s: not queued, so no permission lookup and no listing of comments',
    async (association) => {
      const enqueue = vi.spyOn(app.queue, 'enqueue');
      const payload = commentPayload('/review', { login: 'drive-by', type: 'User' });

      await receiveComment({ ...payload, comment: { ...payload.comment, author_association: association } });

      expect(enqueue).not.toHaveBeenCalled();
    },
  );

  it.each(['OWNER', 'MEMBER', 'COLLABORATOR'])('queues /review by a commenter whose association is %s (the job checks the permission)', async (association) => {
    mockInstallationToken();
    mockPermission('reader', 'read');
    nock(GITHUB)
      .get(`${REPO_PATH}/issues/${PR}/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/${PR}/comments`)
      .reply(201, { id: 5 });
    const payload = commentPayload('/review', { login: 'reader', type: 'User' });

    await receiveComment({ ...payload, comment: { ...payload.comment, author_association: association } });
  });

  it.each([
    ['a bot', commentPayload('/review', { login: 'dependabot[bot]', type: 'Bot' })],
    ['a plain issue', commentPayload('/review', undefined, false)],
    ['a comment that only quotes the command', commentPayload('> /review\nThis was asked before.')],
    ['a comment without the command', commentPayload('Looks good to me')],
  ])('ignores %s: nothing is queued, so no GitHub or model call follows', async (_label, payload) => {
    const enqueue = vi.spyOn(app.queue, 'enqueue');

    await receiveComment(payload);

    expect(enqueue).not.toHaveBeenCalled();
  });
});

describe('Re-run and Re-review on the check', () => {
  function rerequested(action: 'rerequested' | 'requested_action') {
    const payload = fixture<Body & { check_run: Body }>('check_run.rerequested.json');
    return {
      ...payload,
      action,
      repository: fixture<{ repository: unknown }>('pull_request.opened.json').repository,
      // A fork's check run lists no pull requests; Bulwark finds the PR in its own external_id.
      check_run: { ...payload.check_run, name: 'Bulwark', head_sha: HEAD, pull_requests: [] as Body[], external_id: `review/1/${OWNER}/${REPO}/${PR}/${HEAD}/auto` },
      ...(action === 'requested_action' ? { requested_action: { identifier: 'rereview' } } : {}),
    };
  }

  it.each(['rerequested', 'requested_action'] as const)('reviews that head sha again on %s', async (action) => {
    const created: Body[] = [];
    mockInstallationToken();
    mockPermission('octocat', 'write');
    mockNoRepoConfig();
    mockCreateCheck(8, (body) => created.push(body));
    mockPullRequest();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    nock(ANTHROPIC).post('/v1/messages').reply(200, messageResponse({ findings: [] }));
    nock(GITHUB).patch(`${REPO_PATH}/check-runs/8`).reply(200, { id: 8 });

    await app.probot.receive({ id: `delivery-${action}`, name: 'check_run', payload: rerequested(action) as never });
    await app.queue.onIdle();

    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ head_sha: HEAD, external_id: expect.stringContaining(`/rerun-delivery-${action}`) });
  });

  it.each(['rerequested', 'requested_action'] as const)(
    'checks the sender\'s permission before anything is paid for: someone with read permission gets no check run, no model call (%s)',
    async (action) => {
      mockInstallationToken();
      mockPermission('octocat', 'read');

      await app.probot.receive({ id: `delivery-denied-${action}`, name: 'check_run', payload: rerequested(action) as never });
      await app.queue.onIdle();
    },
  );

  it('reviews the pull request its external_id names, not one check_run.pull_requests lists', async () => {
    const created: Body[] = [];
    const payload = rerequested('rerequested');
    // Another pull request whose head is the same commit: GitHub may list it, but this run reviewed PR 2.
    payload.check_run = { ...payload.check_run, pull_requests: [{ number: 99, head: { sha: HEAD }, base: { ref: 'master' } }] };
    mockInstallationToken();
    mockPermission('octocat', 'admin');
    mockNoRepoConfig();
    mockCreateCheck(8, (body) => created.push(body));
    mockPullRequest();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    nock(ANTHROPIC).post('/v1/messages').reply(200, messageResponse({ findings: [] }));
    nock(GITHUB).patch(`${REPO_PATH}/check-runs/8`).reply(200, { id: 8 });

    await app.probot.receive({ id: 'delivery-listed-other', name: 'check_run', payload: payload as never });
    await app.queue.onIdle();

    expect(created).toHaveLength(1);
    expect(created[0]!.external_id).toMatch(new RegExp(`^review/1/${OWNER}/${REPO}/${PR}/${HEAD}/rerun-`));
  });

  it.each([
    ['no external_id', ''],
    ['an external_id of another installation', `review/2/${OWNER}/${REPO}/${PR}/${HEAD}/auto`],
    ['an external_id that is not a job id', 'something-else'],
  ])('ignores a run with %s: nothing is queued', async (_label, externalId) => {
    const enqueue = vi.spyOn(app.queue, 'enqueue');
    const payload = rerequested('rerequested');
    payload.check_run = { ...payload.check_run, external_id: externalId, pull_requests: [{ number: PR, head: { sha: HEAD }, base: { ref: 'master' } }] };

    await app.probot.receive({ id: 'delivery-foreign', name: 'check_run', payload: payload as never });
    await app.queue.onIdle();

    expect(enqueue).not.toHaveBeenCalled();
  });
});
