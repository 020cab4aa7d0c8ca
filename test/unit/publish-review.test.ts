import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { publishReview } from '../../src/jobs/publish.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import type { PullRequestHost, ReviewDraft } from '../../src/ports/pull-request-host.js';
import type { ReviewResult } from '../../src/review/types.js';
import { earlierReviewBody } from '../helpers/pipeline-mocks.js';

const HEAD = 'a'.repeat(40);
const job: ReviewJob = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 2, headSha: HEAD, trigger: 'opened', full: false, deliveryId: 'd', run: 'auto' };
const ref = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 2 };

const result: ReviewResult = {
  headSha: HEAD,
  summary: 'Adds a route.',
  checklist: [],
  inline: [],
  overflow: [],
  unanchored: [{ severity: 'high', category: 'security', title: 'Unchecked input', body: 'The id is not validated.', path: 'src/a.ts', line: 1, reason: 'not-in-diff' }],
  belowThreshold: 0,
  invalidFindings: 0,
  reviewedFiles: ['src/a.ts'],
  skipped: [],
  agent: { name: 'backend-specialist', source: 'bundled' },
  model: 'claude-sonnet-5-5',
} as unknown as ReviewResult;

/** A host whose review listing is what another worker has posted by now. */
function hostWith(reviewsNow: string[]) {
  const posted: ReviewDraft[] = [];
  const host = {
    listOwnReviews: async () => reviewsNow,
    createReview: async (_ref: unknown, review: ReviewDraft) => {
      posted.push(review);
      return { id: posted.length };
    },
  } as unknown as PullRequestHost;
  return { host, posted };
}

const input = (host: PullRequestHost, earlierReviews: string[]) => ({
  host,
  ref,
  job,
  result,
  conclusion: 'neutral' as const,
  fingerprints: new Map(),
  earlierReviews,
  requestChanges: false,
  partial: false,
  log: pino({ level: 'silent' }),
});

describe('publishReview', () => {
  it('does not post when another worker of the same run posted after this attempt listed the reviews (lock lapsed)', async () => {
    // This attempt listed no review at its start; the worker that took the job over after the lock lapsed has
    // posted this run's review since.
    const { host, posted } = hostWith([earlierReviewBody(HEAD, 'auto')]);

    await publishReview(input(host, []));

    expect(posted).toHaveLength(0);
  });

  it("posts when the reviews listed right before posting hold only other runs' reviews", async () => {
    const { host, posted } = hostWith([earlierReviewBody(HEAD, 'comment-1'), earlierReviewBody('b'.repeat(40), 'auto')]);

    await publishReview(input(host, []));

    expect(posted).toHaveLength(1);
    expect(posted[0]!.body).toContain('"run":"auto"');
  });
});
