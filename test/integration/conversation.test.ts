import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { findingMarker, parseMarkers } from '../../src/render/markers.js';
import { buildApp, USERS_FILE } from '../helpers/build-app.js';
import { deliver, issueCommentPayload, MAINTAINER, reviewReplyPayload } from '../helpers/comment-payloads.js';
import type { User } from '../helpers/comment-payloads.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import type { FakeReviewComment } from '../helpers/fake-conversation.js';
import { modelReplies, userTurn } from '../helpers/fake-model.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { USERS_PATCH } from '../helpers/github-stand-in.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import type { BuildAppOptions } from '../helpers/build-app.js';

/** Answers in Bulwark's review threads, `/ask` and `/review ask`, through Probot's receive path over the stateful GitHub stand-in. */

const ROOT = 100;
const FINDING = `🟠 high · security — User id is interpolated into SQL\n\nThe id from the request reaches the query unescaped.\n\n${findingMarker({ fingerprint: 'fp-users-sql' })}`;
const VISITOR: User = { login: 'visitor', type: 'User' };
const ASK = 300;

let app: TestApp;
let github: FakeGitHub;

async function start(options: Omit<BuildAppOptions, 'github'> = {}, rootUser?: User) {
  ({ app, github } = await buildApp({
    ...options,
    github: {
      conversation: {
        permissions: { maintainer: 'write', visitor: 'read' },
        reviewComments: [{ id: ROOT, body: FINDING, path: USERS_FILE, line: 12, diff_hunk: USERS_PATCH, ...(rootUser ? { user: rootUser } : {}) }],
        comments: [{ id: ASK, body: '/review ask can a negative id reach the query?', user: MAINTAINER }],
      },
    },
  }));
}

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

/** A person's reply in the finding's thread, as GitHub stores it and sends it. */
async function reply(body: string, user: User = MAINTAINER, association = 'MEMBER', deliveryId?: string): Promise<FakeReviewComment> {
  const comment = github.conversation.reply(ROOT, body, user);
  await deliver(app, 'pull_request_review_comment', reviewReplyPayload({ id: comment.id, body, inReplyTo: ROOT, user, association }), deliveryId);
  return comment;
}

const answersTo = (replyId: number) =>
  github.conversation.reviewComments.filter((comment) => comment.user.type === 'Bot' && parseMarkers(comment.body).some((marker) => marker.kind === 'answer' && marker.data.reply === replyId));

const answer = (text: string, concede: boolean) => ({ body: messageResponse(JSON.stringify({ answer: text, concede })) });

describe('answers in review threads', () => {
  it("answers a writer's reply that mentions the App once, in the thread, and resolves the thread when it concedes", async () => {
    await start();
    const model = modelReplies(answer('You are right: `usersRoute` only runs behind `parseIntParam`, so `id` is an integer.', true));

    const asked = await reply('@bulwark the router validates `id` as an integer before this runs.');

    const answers = answersTo(asked.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.in_reply_to_id).toBe(ROOT);
    expect(answers[0]!.body).toContain('`parseIntParam`');
    expect(parseMarkers(answers[0]!.body)).toContainEqual({ kind: 'answer', data: { reply: asked.id, fp: 'fp-users-sql', conceded: true } });
    expect(github.conversation.resolved).toEqual(new Set([`thread-${ROOT}`]));
    expect(github.conversation.reactions).toEqual([{ on: 'review-comment', commentId: asked.id, content: 'eyes' }]);
    expect(model.requests).toHaveLength(1);
    const prompt = userTurn(model.requests[0]!);
    expect(prompt).toContain('User id is interpolated into SQL');
    expect(prompt).toContain('the router validates `id` as an integer');
    expect(prompt).toContain('db.query(`SELECT * FROM users WHERE id = ${id}`)');
    expect(prompt).not.toContain('bulwark:finding');
    expect(JSON.stringify(model.requests[0]!.output_config)).toContain('concede');
  });

  it('answers once when the same reply is delivered again', async () => {
    await start();
    const model = modelReplies(answer('The router does not check the sign: `-1` passes.', false));

    const asked = await reply('/ask does the router reject negative ids?', MAINTAINER, 'MEMBER', 'delivery-reply');
    await deliver(app, 'pull_request_review_comment', reviewReplyPayload({ id: asked.id, body: asked.body, inReplyTo: ROOT, user: MAINTAINER }), 'delivery-reply');
    await deliver(app, 'pull_request_review_comment', reviewReplyPayload({ id: asked.id, body: asked.body, inReplyTo: ROOT, user: MAINTAINER }), 'delivery-redelivered');

    expect(answersTo(asked.id)).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
    expect(github.conversation.resolved.size).toBe(0);
  });

  it("gives no answer, no model call and no GitHub call to a reply whose author cannot have write access", async () => {
    await start();

    await reply('@bulwark this is wrong', VISITOR, 'CONTRIBUTOR');

    expect(github.requests).toEqual([]);
  });

  it('gives a collaborator without write permission no answer and no model call, only the one denied reply on the conversation', async () => {
    await start();

    const asked = await reply('@bulwark this is wrong', VISITOR, 'COLLABORATOR');

    expect(answersTo(asked.id)).toEqual([]);
    const denied = github.conversation.comments.filter((comment) => comment.user.type === 'Bot');
    expect(denied).toHaveLength(1);
    expect(parseMarkers(denied[0]!.body)).toEqual([{ kind: 'denied', data: { user: 'visitor' } }]);
    expect(github.conversation.reactions).toEqual([]);
  });

  it('ignores replies that do not ask Bulwark, replies in threads another bot started, and its own answers', async () => {
    await start({}, { login: 'other-reviewer[bot]', type: 'Bot' });

    await reply('@bulwark is this right?');
    await reply('@alice can you look at this?');
    const own = github.conversation.reply(ROOT, 'An answer', { login: 'bulwark[bot]', type: 'Bot' });
    await deliver(app, 'pull_request_review_comment', reviewReplyPayload({ id: own.id, body: '@bulwark', inReplyTo: ROOT, user: { login: 'bulwark[bot]', type: 'Bot' } }));

    expect(github.conversation.reviewComments.filter((comment) => comment.user.login === 'bulwark[bot]' && comment.id !== own.id)).toEqual([]);
    expect(github.count('POST', /\/replies$/)).toBe(0);
  });

  it('masks secrets in what the model is sent and in what it answers, and sanitises the answer', async () => {
    await start();
    const secret = fakeSecret.githubToken();
    const echoed = fakeSecret.githubToken();
    const model = modelReplies(answer(`@everyone <img src=x onerror=alert(1)> the token ${echoed} is fine`, false));

    const asked = await reply(`@bulwark we rotate ${secret} daily, so this is fine`);

    expect(leakedPieces(model.raw, [secret])).toEqual([]);
    const [posted] = answersTo(asked.id);
    expect(leakedPieces(posted!.body, [secret, echoed])).toEqual([]);
    expect(posted!.body).not.toMatch(/(^|\s)@everyone/);
    expect(posted!.body).not.toContain('<img');
  });

  it('refuses with one short reply and no model call when the daily budget is spent', async () => {
    const budget = createMemoryBudgetStore();
    await budget.add(1, { tokens: 10_000, usd: 0 }, Date.now());
    await start({ budget, env: { BULWARK_DAILY_TOKEN_BUDGET: '5000' } });

    const asked = await reply('@bulwark why?');

    const answers = answersTo(asked.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toMatch(/did not answer: daily review budget reached/);
  });
});

describe('/review ask', () => {
  it('answers a question about the pull request in one comment, once', async () => {
    await start();
    const model = modelReplies(answer('Yes: `id` is read from the path and reaches the query unchecked.', false));

    await deliver(app, 'issue_comment', issueCommentPayload(ASK, '/review ask can a negative id reach the query?'), 'delivery-ask');
    await deliver(app, 'issue_comment', issueCommentPayload(ASK, '/review ask can a negative id reach the query?'), 'delivery-ask-again');

    const answers = github.conversation.comments.filter((comment) => parseMarkers(comment.body).some((marker) => marker.kind === 'ask' && marker.data.comment === ASK));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toContain('reaches the query unchecked');
    expect(model.requests).toHaveLength(1);
    const prompt = userTurn(model.requests[0]!);
    expect(prompt).toContain('can a negative id reach the query?');
    expect(prompt).toContain(`<file path="${USERS_FILE}"`);
    expect(github.conversation.reactions).toContainEqual({ on: 'issue-comment', commentId: ASK, content: 'eyes' });
  });
});
