import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { RE_REVIEW_ACTION } from '../ports/pull-request-host.js';
import { ServiceError } from '../ports/service-error.js';
import { parseMarkers } from '../render/markers.js';
import { batchAnnotations } from '../render/render-check.js';
import type { RenderedCheckOutput } from '../render/render-check.js';
import { renderReview } from '../render/render-review.js';
import type { AnchoredFinding, Conclusion, ReviewResult } from '../review/types.js';

/** The "Re-review" button on a completed check (https://docs.github.com/en/rest/checks/runs#check-runs-and-requested-actions). */
export const RE_REVIEW = [{ label: 'Re-review', description: 'Review this commit again', identifier: RE_REVIEW_ACTION }];

export interface PublishInput {
  host: PullRequestHost;
  ref: PullRequestRef;
  job: ReviewJob;
  result: ReviewResult;
  conclusion: Exclude<Conclusion, 'skipped'>;
  fingerprints: Map<AnchoredFinding, string>;
  /** Bodies of Bulwark's reviews already on the PR (read at the start of this attempt; listed again before posting). */
  earlierReviews: string[];
  requestChanges: boolean;
  partial: boolean;
  checkRunId: number;
  output: RenderedCheckOutput;
  log: Logger;
}

/** One review per run (only when there is something to say), then the check run completed with its annotations. */
export async function publishReview(input: PublishInput): Promise<void> {
  const { result } = input;
  const hasFindings = result.inline.length + result.overflow.length + result.unanchored.length > 0;
  // Listed again right before posting: a worker whose lock lapsed runs on while another runs the same job (BullMQ
  // delivers at least once), and the reviews listed at the start of this attempt miss what that one posted since.
  if (hasFindings && !alreadyPublished(input, input.earlierReviews) && !alreadyPublished(input, await input.host.listOwnReviews(input.ref))) {
    await postReview(input);
  }
  await publishCheck(input.host, input.ref, input.checkRunId, input.conclusion, input.output);
}

/**
 * Exactly once: a job run again after a crash or a redelivery finds the review an earlier attempt of the same
 * run posted (its marker names the head sha and the run) and does not post it twice.
 */
function alreadyPublished({ job, log }: PublishInput, reviews: string[]): boolean {
  const found = reviews.some((body) =>
    parseMarkers(body).some((marker) => marker.kind === 'review' && marker.data.head === job.headSha && marker.data.run === job.run),
  );
  if (found) log.info({ head: job.headSha, run: job.run }, 'review of this run already posted; not posting again');
  return found;
}

/**
 * Anchors were validated, but GitHub's 422 does not say which comment it disliked: if it still answers 422,
 * post the same findings once more with none inline, so nothing is lost.
 */
async function postReview({ host, ref, job, result, fingerprints, conclusion, requestChanges, partial, log }: PublishInput): Promise<void> {
  const event = requestChanges && conclusion === 'failure' ? 'REQUEST_CHANGES' : 'COMMENT';
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

/** GitHub takes at most 50 annotations per request; further updates append (https://docs.github.com/en/rest/checks/runs#update-a-check-run). */
async function publishCheck(
  host: PullRequestHost,
  ref: PullRequestRef,
  checkRunId: number,
  conclusion: Exclude<Conclusion, 'skipped'>,
  output: RenderedCheckOutput,
): Promise<void> {
  const batches = batchAnnotations(output.annotations);
  const base = { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) };
  try {
    for (const batch of batches.slice(0, -1)) {
      await host.updateCheckRun(ref, checkRunId, { ...base, annotations: batch });
    }
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: { ...base, annotations: batches.at(-1) ?? [] }, actions: RE_REVIEW });
  } catch (error) {
    // A rejected annotation must not leave the check in progress: complete it without them; the review has them all.
    if (!(error instanceof ServiceError) || error.status !== 422) throw error;
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: base, actions: RE_REVIEW });
  }
}
