import { renderNotPausedReply, renderPausedComment, renderResumedComment } from '../render/render-pause.js';
import { pauseComments } from '../review/pause-state.js';
import type { CommandInput } from './command-handlers.js';

/**
 * `/review pause`: one Bulwark comment with a `bulwark:pause` marker holds the state (README "Pause and resume").
 * Pausing a paused pull request changes nothing: the comment already there says it.
 */
export async function pausePullRequest({ host, ref, comment, log }: CommandInput): Promise<void> {
  if (pauseComments(await host.listOwnCommentEntries(ref)).length > 0) return log.info({}, 'already paused');
  await host.createComment(ref, renderPausedComment(comment.author.login));
  log.info({}, 'automatic reviews paused');
}

/** `/review resume`: every pause comment loses its marker (edited into a record of who resumed); none: a short reply. */
export async function resumePullRequest({ host, ref, comment, log }: CommandInput): Promise<void> {
  const paused = pauseComments(await host.listOwnCommentEntries(ref));
  if (paused.length === 0) return void (await host.createComment(ref, renderNotPausedReply()));
  for (const pause of paused) await host.updateComment(ref, pause.id, renderResumedComment(pause.by, comment.author.login));
  log.info({ comments: paused.length }, 'automatic reviews resumed');
}
