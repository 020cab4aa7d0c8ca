import { authorizeRequest } from '../conversation/authorize-request.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { renderHelpReply } from '../render/render-command-reply.js';

/**
 * The job to run, or undefined when there is none. A review asked for by hand goes on only when the person who
 * asked may ask (conversation/authorize-request.ts: write permission, one denied reply, 👀). A command job learns
 * its head sha only now, after that check, from the pull request it read (`pr`: the runner does not read it again).
 */
export async function resolveJob(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<{ job: ReviewJob; pr?: PullRequestInfo } | undefined> {
  const { command } = job;
  if (job.trigger !== 'rerequested' && !command) return { job };
  if (!(await authorizeRequest(host, ref, job, log))) return undefined;
  if (!command) return { job };
  if (command.kind === 'help') return void (await host.createComment(ref, renderHelpReply(command.commentId)));
  const pr = await host.getPullRequest(ref);
  return { job: { ...job, headSha: pr.headSha }, pr };
}
