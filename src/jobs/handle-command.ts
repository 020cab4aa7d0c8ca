import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { deniedMarker, parseMarkers } from '../render/markers.js';
import { codeSpan } from '../render/sanitize-text.js';
import { mayRequestReview } from './may-request-review.js';

export const HELP_TEXT = [
  '**Bulwark commands** (for people with write, maintain or admin permission):',
  '',
  '- `/review` — review what changed since Bulwark\'s last review of this pull request',
  '- `/review full` — review the whole pull request again',
  '- `/review help` — show this help',
  '',
  'Re-run on the **Bulwark** check also reviews its commit again. Settings live in `.github/bulwark.yml` on the default branch.',
].join('\n');

/**
 * Decides whether a `/review` command runs. Only write, maintain and admin may spend the operator's model budget;
 * anyone else gets at most one short reply per pull request (found again by its hidden marker) and nothing else.
 * Returns true when the review should go ahead.
 */
export async function handleCommand(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<boolean> {
  const command = job.command;
  const login = job.requestedBy;
  if (!command || !login) return false;
  if (!(await mayRequestReview(host, ref, login, log))) {
    await replyOnce(host, ref, login);
    return false;
  }
  await host.addReaction(ref, command.commentId, 'eyes');
  if (command.kind === 'help') {
    await host.createComment(ref, `${HELP_TEXT}\n\n<!-- bulwark:help ${JSON.stringify({ comment: command.commentId })} -->`);
    return false;
  }
  return true;
}

async function replyOnce(host: PullRequestHost, ref: PullRequestRef, login: string): Promise<void> {
  const comments = await host.listOwnComments(ref);
  const already = comments.some((body) =>
    parseMarkers(body).some((marker) => marker.kind === 'denied' && marker.data.user.toLowerCase() === login.toLowerCase()),
  );
  if (already) return;
  const body = [
    `Bulwark reviews on request only for people with write, maintain or admin permission on this repository; ${codeSpan(login)} does not have it.`,
    'A maintainer can comment `/review` instead.',
    '',
    deniedMarker({ user: login }),
  ].join('\n');
  await host.createComment(ref, body);
}
