import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWalkthrough } from '../../src/render/render-walkthrough.js';
import { WALKTHROUGH_REQUEST } from '../../src/review/build-prompt.js';
import { buildApp, deliverPullRequest, USERS_FILE } from '../helpers/build-app.js';
import { deliver, issueCommentPayload, MAINTAINER } from '../helpers/comment-payloads.js';
import type { FakeGitHub, FakeGitHubOptions } from '../helpers/fake-github.js';
import { modelReplies } from '../helpers/fake-model.js';
import { file, HEAD, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse, promptOf } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * The walkthrough (review.walkthrough, `/review describe`) through Probot's receive path, over the stateful GitHub
 * stand-in and the model stand-in: asked for in the review's own model call, posted as one comment of its own, and
 * edited in place by later reviews.
 */

const MIGRATION = 'db/migrations/004_drop_email.sql';
const MIGRATION_PATCH = ['@@ -0,0 +1,2 @@', '+ALTER TABLE users DROP COLUMN email;', '+-- the column is gone'].join('\n');
const TEST_FILE = 'test/routes/users.test.ts';
const TEST_PATCH = ['@@ -1,2 +1,3 @@', " it('reads a user', async () => {", '+  expect(await get(1)).toBeDefined();', ' });'].join('\n');
const FILES = [file(USERS_FILE, USERS_PATCH), file(MIGRATION, MIGRATION_PATCH), file(TEST_FILE, TEST_PATCH)];

const DESCRIBE = 811;
const FULL = 812;

/** The model's answer: the review's findings, and the walkthrough's notes when it gives them. */
function answer(findings: unknown[], notes?: { usersChange?: string }) {
  const walkthrough = notes && {
    files: [
      { path: USERS_FILE, change: notes.usersChange ?? 'GET /users/:id builds its query from the raw id.', risk_reason: "The endpoint's query is built from request input.", risk: 'medium', test: 'Call GET /users/1%20OR%201=1.' },
      { path: MIGRATION, change: 'Drops users.email.', risk_reason: 'A migration drops a column.', risk: 'high', test: 'Run the migration on a copy of production data.' },
      { path: TEST_FILE, change: 'Checks a user is read.', risk: 'low' },
    ],
  };
  return messageResponse(JSON.stringify({ summary: '', checklist: [], findings, ...(walkthrough ? { walkthrough } : {}) }));
}

let app: TestApp;
let github: FakeGitHub;

async function start(options: FakeGitHubOptions = {}, env: Record<string, string> = {}) {
  ({ app, github } = await buildApp({ github: { files: FILES, conversation: { permissions: { maintainer: 'write' } }, ...options }, env }));
}

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

const walkthroughComments = () => github.conversation.comments.filter((comment) => readWalkthrough(comment.body) !== undefined);

describe('review.walkthrough: true', () => {
  it('asks for the walkthrough in the review call itself and posts it grouped by area, with a risk level and its reasons', async () => {
    await start({ config: 'review:\n  walkthrough: true\n' });
    const model = modelReplies({ body: answer([finding()], {}) });

    await deliverPullRequest(app, 'delivery-opened');

    expect(model.requests).toHaveLength(1);
    expect(promptOf(model.requests[0]!)).toContain(WALKTHROUGH_REQUEST);
    const [comment, ...others] = walkthroughComments();
    expect(others).toEqual([]);
    expect(comment!.user.type).toBe('Bot');
    const body = comment!.body;
    expect(body).toContain('**Risk: 🔴 high**, set by:\n- 🔴 high · A migration drops a column. (`db/migrations/004_drop_email.sql`)');
    expect(body.indexOf('**Routes and handlers**\n- `src/server/routes/users.ts` (+2 −1): GET /users/:id builds its query from the raw id.')).toBeGreaterThan(-1);
    expect(body.indexOf('**Data access and migrations**\n- `db/migrations/004_drop_email.sql` (+2 −0): Drops users.email.')).toBeGreaterThan(body.indexOf('**Routes and handlers**'));
    expect(body.indexOf('**Tests**\n- `test/routes/users.test.ts`')).toBeGreaterThan(body.indexOf('**Data access and migrations**'));
    expect(body).toContain('**Test before merging**\n- Run the migration on a copy of production data.');
    expect(body).toContain('3 of 3 changed files shown');
    // The findings are still the review's: one review with the inline comment, besides the walkthrough.
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.body).not.toContain('walkthrough');
  });

  it('posts the walkthrough alone when the review has no finding', async () => {
    await start({ config: 'review:\n  walkthrough: true\n' });
    modelReplies({ body: answer([], {}) });

    await deliverPullRequest(app, 'delivery-opened');

    expect(github.reviews).toEqual([]);
    expect(walkthroughComments()).toHaveLength(1);
    expect(readWalkthrough(walkthroughComments()[0]!.body)?.entries.map((entry) => entry.path)).toEqual([USERS_FILE, MIGRATION, TEST_FILE]);
    expect(github.check().conclusion).toBe('success');
  });
});

describe('a failure to write the walkthrough', () => {
  it('is retried like a failure to post the review, with the model answer kept, and still ends in one comment and one review', async () => {
    await start({ config: 'review:\n  walkthrough: true\n' }, { BULWARK_JOB_ATTEMPTS: '2', BULWARK_RETRY_BACKOFF_MS: '10' });
    const model = modelReplies({ body: answer([finding()], {}) });
    github.fail({ method: 'POST', path: /\/issues\/\d+\/comments$/, status: 502, body: { message: 'Bad Gateway' } });

    await deliverPullRequest(app, 'delivery-opened');

    expect(model.requests).toHaveLength(1);
    expect(github.count('POST', /\/issues\/\d+\/comments$/)).toBe(2);
    expect(walkthroughComments()).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.check().conclusion).toBe('neutral');
  });
});

describe('review.walkthrough off (the default)', () => {
  it('does not ask the model for a walkthrough and posts none, even when the model gives one', async () => {
    await start();
    const model = modelReplies({ body: answer([finding()], {}) });

    await deliverPullRequest(app, 'delivery-opened');

    expect(promptOf(model.requests[0]!)).not.toContain(WALKTHROUGH_REQUEST);
    expect(promptOf(model.requests[0]!)).not.toMatch(/walkthrough/i);
    expect(github.conversation.comments).toEqual([]);
    expect(github.count('POST', /\/issues\/\d+\/comments$/)).toBe(0);
    expect(github.reviews).toHaveLength(1);
  });
});

describe('/review describe', () => {
  it('reviews the whole pull request again with the walkthrough, even at a head already reviewed, when the config does not ask for it', async () => {
    await start({
      reviews: [{ body: `## 🛡️ Bulwark review\n\n<!-- bulwark:review {"head":"${HEAD}","run":"auto"} -->` }],
      conversation: { permissions: { maintainer: 'write' }, comments: [{ id: DESCRIBE, body: '/review describe', user: MAINTAINER }] },
    });
    const model = modelReplies({ body: answer([], {}) });

    await deliver(app, 'issue_comment', issueCommentPayload(DESCRIBE, '/review describe'));

    expect(github.conversation.reactions).toEqual([{ on: 'issue-comment', commentId: DESCRIBE, content: 'eyes' }]);
    expect(model.requests).toHaveLength(1);
    expect(promptOf(model.requests[0]!)).toContain(WALKTHROUGH_REQUEST);
    // Every file of the pull request, not only what changed since the earlier review of this head.
    expect(promptOf(model.requests[0]!)).toContain(`<file path="${MIGRATION}"`);
    const [comment, ...others] = walkthroughComments();
    expect(others).toEqual([]);
    expect(comment!.body).toContain('**Risk: 🔴 high**');
    expect(github.check().output?.title).not.toMatch(/skipped|already/i);
  });
});

describe('a later review of the same pull request', () => {
  it('edits the walkthrough comment in place instead of posting another', async () => {
    await start({ config: 'review:\n  walkthrough: true\n', conversation: { permissions: { maintainer: 'write' }, comments: [{ id: FULL, body: '/review full', user: MAINTAINER }] } });
    const model = modelReplies({ body: answer([finding()], {}) }, { body: answer([finding()], { usersChange: 'GET /users/:id now reads one row by a bound parameter.' }) });

    await deliverPullRequest(app, 'delivery-opened');
    const [first] = walkthroughComments();
    const firstBody = first!.body;
    await deliver(app, 'issue_comment', issueCommentPayload(FULL, '/review full'));

    expect(model.requests).toHaveLength(2);
    expect(promptOf(model.requests[1]!)).toContain(WALKTHROUGH_REQUEST);
    const comments = walkthroughComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first!.id);
    expect(github.count('POST', /\/issues\/\d+\/comments$/)).toBe(1);
    expect(github.count('PATCH', new RegExp(`/issues/comments/${first!.id}$`))).toBe(1);
    expect(firstBody).toContain('builds its query from the raw id');
    expect(comments[0]!.body).toContain('GET /users/:id now reads one row by a bound parameter.');
    expect(comments[0]!.body).not.toContain('builds its query from the raw id');
  });
});
