import { openedPayload, PR } from './github-stand-in.js';
import { fixture } from './test-app.js';
import type { TestApp } from './test-app.js';

type Body = Record<string, unknown>;
export type User = { login: string; type: string };

export const MAINTAINER: User = { login: 'maintainer', type: 'User' };

/** GitHub's issue_comment.created payload for a comment on the fixture pull request's conversation. */
export function issueCommentPayload(id: number, body: string, user: User = MAINTAINER, association = 'MEMBER'): Body {
  const payload = fixture<Body & { issue: Body; comment: Body; sender: Body }>('issue_comment.created.json');
  return {
    ...payload,
    repository: openedPayload().repository,
    issue: { ...payload.issue, number: PR, pull_request: { url: `https://api.github.com/repos/Codertocat/Hello-World/pulls/${PR}` } },
    comment: { ...payload.comment, id, body, author_association: association, user: { ...(payload.comment.user as Body), ...user } },
    sender: { ...payload.sender, ...user },
  };
}

/**
 * GitHub's pull_request_review_comment.created payload (@octokit/webhooks-examples) for a reply in a review thread
 * of the fixture pull request: `in_reply_to_id` names the thread's first comment.
 */
export function reviewReplyPayload(reply: { id: number; body: string; inReplyTo: number | undefined; user: User; association?: string }): Body {
  const payload = fixture<Body & { comment: Body; sender: Body; pull_request: Body }>('pull_request_review_comment.created.json');
  const comment = { ...payload.comment };
  delete comment.in_reply_to_id;
  return {
    ...payload,
    repository: openedPayload().repository,
    pull_request: { ...payload.pull_request, number: PR },
    comment: {
      ...comment,
      id: reply.id,
      body: reply.body,
      author_association: reply.association ?? 'MEMBER',
      user: { ...(payload.comment.user as Body), ...reply.user },
      ...(reply.inReplyTo === undefined ? {} : { in_reply_to_id: reply.inReplyTo }),
    },
    sender: { ...payload.sender, ...reply.user },
  };
}

/** Delivers a webhook and waits until the queue has nothing left to do. */
export async function deliver(app: TestApp, name: 'issue_comment' | 'pull_request_review_comment', payload: Body, id = `delivery-${Math.random()}`): Promise<void> {
  await app.probot.receive({ id, name, payload: payload as never });
  await app.queue.onIdle();
}
