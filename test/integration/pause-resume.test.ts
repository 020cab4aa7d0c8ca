import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMarkers } from '../../src/render/markers.js';
import { buildApp, deliverPullRequest } from '../helpers/build-app.js';
import { deliver, issueCommentPayload, MAINTAINER } from '../helpers/comment-payloads.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelReplies } from '../helpers/fake-model.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';

/** `/review pause` and `/review resume` through Probot's receive path, over the stateful GitHub stand-in. */

const PAUSE = 701;
const RESUME = 702;
const REVIEW = 703;

let app: TestApp;
let github: FakeGitHub;

beforeEach(async () => {
  setupNock();
  ({ app, github } = await buildApp({
    github: {
      config: 'review:\n  on: [opened, reopened, ready_for_review, synchronize]\n',
      conversation: {
        permissions: { maintainer: 'write' },
        comments: [
          { id: PAUSE, body: '/review pause', user: MAINTAINER },
          { id: RESUME, body: 'Thanks.\n/review resume', user: MAINTAINER },
          { id: REVIEW, body: '/review', user: MAINTAINER },
        ],
      },
    },
  }));
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

const pauseComments = () => github.conversation.comments.filter((comment) => parseMarkers(comment.body).some((marker) => marker.kind === 'pause'));

describe('pause and resume', () => {
  it('pauses automatic reviews: the check completes skipped, says so and how to resume; the model is not asked', async () => {
    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));

    expect(pauseComments()).toHaveLength(1);
    expect(pauseComments()[0]!.user.type).toBe('Bot');
    expect(github.conversation.reactions).toEqual([{ on: 'issue-comment', commentId: PAUSE, content: 'eyes' }]);
    expect(github.checkRuns).toEqual([]);

    await deliverPullRequest(app, 'delivery-push', 'synchronize');

    const check = github.check();
    expect(check.status).toBe('completed');
    expect(check.conclusion).toBe('skipped');
    expect(check.output?.title).toMatch(/paused/i);
    expect(check.output?.summary).toContain('/review resume');
    expect(check.output?.summary).toContain('`maintainer`');
    expect(github.reviews).toEqual([]);
  });

  it('pauses once: a second /review pause adds no second comment', async () => {
    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));
    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));

    expect(pauseComments()).toHaveLength(1);
  });

  it('still reviews on /review while paused', async () => {
    const model = modelReplies({ body: messageResponse({ findings: [finding()] }) });
    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));

    await deliver(app, 'issue_comment', issueCommentPayload(REVIEW, '/review'));

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.check().conclusion).not.toBe('skipped');
  });

  it('reviews automatically again after /review resume, and keeps the paused comment as a record without its marker', async () => {
    const model = modelReplies({ body: messageResponse({ findings: [finding()] }) });
    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));
    const [paused] = pauseComments();

    await deliver(app, 'issue_comment', issueCommentPayload(RESUME, 'Thanks.\n/review resume'));
    await deliverPullRequest(app, 'delivery-reopened', 'reopened');

    expect(pauseComments()).toEqual([]);
    expect(github.conversation.comments.find((comment) => comment.id === paused!.id)?.body).toMatch(/`maintainer` resumed/);
    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
  });

  it('answers /review resume on a pull request that is not paused with one short reply', async () => {
    await deliver(app, 'issue_comment', issueCommentPayload(RESUME, 'Thanks.\n/review resume'));

    const replies = github.conversation.comments.filter((comment) => comment.user.type === 'Bot');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatch(/not paused/);
  });

  it('ignores a pause marker written by another bot', async () => {
    github.conversation.comments.push({ id: 9, body: '<!-- bulwark:pause {"by":"mallory"} -->', user: { login: 'other-app[bot]', type: 'Bot' } });
    const model = modelReplies({ body: messageResponse({ findings: [finding()] }) });

    await deliverPullRequest(app, 'delivery-opened', 'opened');

    expect(model.requests).toHaveLength(1);
    expect(github.check().conclusion).not.toBe('skipped');
  });

  it('does nothing for someone without write permission but one short reply', async () => {
    const visitor = { login: 'visitor', type: 'User' };
    github.conversation.comments.push({ id: 704, body: '/review pause', user: visitor });

    await deliver(app, 'issue_comment', issueCommentPayload(704, '/review pause', visitor, 'COLLABORATOR'));

    expect(pauseComments()).toEqual([]);
    expect(github.conversation.reactions).toEqual([]);
    const replies = github.conversation.comments.filter((comment) => comment.user.type === 'Bot');
    expect(replies).toHaveLength(1);
    expect(parseMarkers(replies[0]!.body)).toEqual([{ kind: 'denied', data: { user: 'visitor' } }]);
  });

  it('does nothing when the comment no longer holds the command (edited before the job ran)', async () => {
    github.conversation.comments.find((comment) => comment.id === PAUSE)!.body = 'never mind';

    await deliver(app, 'issue_comment', issueCommentPayload(PAUSE, '/review pause'));

    expect(pauseComments()).toEqual([]);
    expect(github.conversation.reactions).toEqual([]);
  });
});
