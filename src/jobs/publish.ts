import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { ServiceError } from '../ports/service-error.js';
import { renderReview } from '../render/render-review.js';
import { walkthroughComment } from '../render/render-walkthrough.js';
import { publishedByRun } from '../review/published-by-run.js';
import { reviewEvent } from '../review/review-event.js';
import type { ReviewOutcome } from '../review/review-outcome.js';
import type { AnchoredFinding } from '../review/types.js';

/** The review to post (`earlierReviews`: Bulwark's reviews listed at the start of this attempt). */
export type PublishInput = Pick<Extract<ReviewOutcome, { kind: 'reviewed' }>, 'result' | 'conclusion' | 'partial'> & {
  host: PullRequestHost; ref: PullRequestRef; job: ReviewJob; log: Logger; fingerprints: Map<AnchoredFinding, string>; earlierReviews: string[]; requestChanges: boolean;
};

/**
 * One review per run, only when there is something to say. Exactly once: a job run again after a crash or a
 * redelivery finds the review an earlier attempt of the same run posted and does not post it twice. Listed again
 * right before posting: a worker whose lock lapsed runs on while another runs the same job (BullMQ delivers at
 * least once), and the reviews listed at the start of this attempt miss what that one posted since.
 */
export async function publishReview(input: PublishInput): Promise<void> {
  const { result, job, log } = input;
  if (result.walkthrough) await input.host.upsertOwnComment(input.ref, walkthroughComment(result.walkthrough));
  if (result.inline.length + result.overflow.length + result.unanchored.length === 0) return;
  const posted = (reviews: string[]) => reviews.some((body) => publishedByRun(body, job));
  if (posted(input.earlierReviews) || posted(await input.host.listOwnReviews(input.ref))) {
    log.info({ head: job.headSha, run: job.run }, 'review of this run already posted; not posting again');
    return;
  }
  await postReview(input);
}

/**
 * Anchors were validated, but GitHub's 422 does not say which comment it disliked: if it still answers 422,
 * post the same findings once more with none inline, so nothing is lost.
 */
async function postReview({ host, ref, job, result, fingerprints, conclusion, requestChanges, partial, log }: PublishInput): Promise<void> {
  const event = reviewEvent(requestChanges, conclusion);
  const options = { fingerprints, runId: job.run, partial };
  const rendered = renderReview(result, options);
  try {
    await host.createReview(ref, { commitId: rendered.commit_id, body: rendered.body, event, comments: rendered.comments });
  } catch (error) {
    if (!(error instanceof ServiceError) || error.status !== 422 || rendered.comments.length === 0) throw error;
    log.warn({ comments: rendered.comments.length }, 'review rejected with 422; posting findings in the body');
    const flat = renderReview({ ...result, inline: [], overflow: [...result.inline, ...result.overflow] }, options);
    await host.createReview(ref, { commitId: flat.commit_id, body: flat.body, event, comments: [] });
  }
}
