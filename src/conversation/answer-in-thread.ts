import type { PullRequestHost, PullRequestRef, ThreadComment } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { renderThreadAnswer, renderThreadAnswerFailed, renderThreadAnswerOverBudget } from '../render/render-answer.js';
import type { AnswerTarget } from '../render/render-answer.js';
import { buildThreadQuestion } from '../review/build-answer-prompt.js';
import { retryOf } from '../review/retry-of.js';
import { maskSecretsInFiles } from '../secrets/mask-secrets-in-files.js';
import type { CommandInput } from './command-handlers.js';
import { answerContext, answerLimit, converse } from './converse.js';

/**
 * A reply in one of Bulwark's review threads that asks it something (`@<app>` or `/ask`): exactly one answer in
 * the thread, marked with the reply's id (a redelivery or a retry finds it and posts nothing more). The model sees
 * the finding, its diff hunk and the thread, masked for secrets and framed as data, under the agent's standards;
 * when it concedes, Bulwark resolves its own thread.
 */
export async function answerInThread(input: CommandInput): Promise<void> {
  const { host, ref, comment, thread = [], log, control } = input;
  const [root, ...replies] = thread;
  if (!root) return;
  const target: AnswerTarget = { reply: comment.id, fingerprint: findingOf(root.body) };
  const earlier = answerTo(thread, comment.id);
  if (earlier) {
    // Posted by an earlier run of this job; only the thread's resolution may be left to do.
    if (earlier.conceded) await resolveThread(host, ref, root.id, log);
    return log.info({ reply: comment.id }, 'reply already answered');
  }
  const limit = await answerLimit(input);
  if (limit) return void (await post(input, root.id, renderThreadAnswerOverBudget(target, limit)));
  let answer;
  try {
    const context = await answerContext(input);
    const before = replies.filter((reply) => reply.id !== comment.id && reply.id < comment.id);
    const masked = await maskSecretsInFiles([root.diffHunk, root.body, ...before.map((reply) => reply.body), input.argument].map((text) => ({ path: '', lines: text.split('\n') })));
    const text = (index: number, original: string) => masked[index]?.lines?.join('\n') ?? original;
    const user = buildThreadQuestion({
      path: root.path,
      line: root.line,
      side: root.side,
      diffHunk: text(0, root.diffHunk),
      finding: text(1, root.body),
      earlier: before.map((reply, index) => ({ author: reply.author.login, bulwark: reply.own, body: text(2 + index, reply.body) })),
      question: { author: comment.author.login, bulwark: false, body: text(2 + before.length, input.argument) },
    });
    answer = await converse(input, context, user);
  } catch (error) {
    const retry = retryOf(error, control, 'retryable failure answering a reply');
    if (retry) throw retry;
    log.warn({ err: error }, 'could not answer a reply');
    return void (await post(input, root.id, renderThreadAnswerFailed(target, error instanceof Error ? error.message : 'the model did not answer.')));
  }
  const posted = await post(input, root.id, renderThreadAnswer(target, answer));
  if (posted && answer.concede) await resolveThread(host, ref, root.id, log);
  log.info({ reply: comment.id, conceded: answer.concede }, 'reply answered');
}

/** The fingerprint in the finding's marker ('' when it carries none: the thread is still Bulwark's). */
function findingOf(body: string): string {
  const marker = parseMarkers(body).find((found) => found.kind === 'finding');
  return marker?.kind === 'finding' ? marker.data.fp : '';
}

/** Bulwark's answer to `replyId` in the thread, if it posted one. */
function answerTo(thread: readonly ThreadComment[], replyId: number): { conceded: boolean } | undefined {
  for (const comment of thread) {
    if (!comment.own) continue;
    const marker = parseMarkers(comment.body).find((found) => found.kind === 'answer' && found.data.reply === replyId);
    if (marker?.kind === 'answer') return { conceded: marker.data.conceded };
  }
  return undefined;
}

/**
 * Posts the one answer, after listing the thread again: the model call takes a while, and another run of this job
 * (a worker that died, a redelivery after the first finished) may have answered meanwhile. False when one had.
 */
async function post({ host, ref, comment, log }: CommandInput, rootId: number, body: string): Promise<boolean> {
  if (answerTo(await host.listThreadComments(ref, rootId), comment.id)) {
    log.info({ reply: comment.id }, 'reply answered meanwhile; not posting again');
    return false;
  }
  await host.replyInThread(ref, rootId, body);
  return true;
}

/** GraphQL's resolveReviewThread takes the thread's node id: found from its first comment's REST id. */
async function resolveThread(host: PullRequestHost, ref: PullRequestRef, rootId: number, log: CommandInput['log']): Promise<void> {
  try {
    const thread = (await host.listOwnReviewThreads(ref)).find((candidate) => candidate.rootCommentId === rootId);
    if (!thread) return log.warn({ root: rootId }, 'conceded, but the review thread was not found to resolve');
    if (!thread.isResolved) await host.resolveReviewThread(ref, thread.id);
  } catch (error) {
    // The answer is posted; a thread left open is cosmetic, as for stale threads after a review.
    log.warn({ err: error, root: rootId }, 'could not resolve a conceded thread');
  }
}
