import { describe, expect, it } from 'vitest';
import { reviewJobId } from '../../src/ports/job-queue.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import type { ExistingCheckRun } from '../../src/ports/pull-request-host.js';
import { openRunsOfHead } from '../../src/review/open-runs-of-head.js';

const job: ReviewJob = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 7, headSha: 'a'.repeat(40), trigger: 'opened', full: false, deliveryId: 'd', run: 'auto' };
const runOf = (id: number, externalId: string | null, status: string): ExistingCheckRun => ({ id, externalId, status, conclusion: null, appSlug: 'bulwark' });

describe('openRunsOfHead', () => {
  it('lists the open runs of other jobs on the head, with the ids a queue may hold them under', () => {
    const other = reviewJobId({ ...job, run: 'auto-2' });
    const command = reviewJobId({ ...job, run: 'comment-5' });
    const runs = [
      runOf(1, reviewJobId(job), 'in_progress'),
      runOf(2, other, 'in_progress'),
      runOf(3, command, 'queued'),
      runOf(4, reviewJobId({ ...job, run: 'auto-3' }), 'completed'),
      runOf(5, reviewJobId({ ...job, pullNumber: 8, run: 'auto-4' }), 'in_progress'),
      runOf(6, null, 'in_progress'),
    ];
    expect(openRunsOfHead(runs, job)).toEqual([
      { externalId: other, queuedIds: [other] },
      { externalId: command, queuedIds: [command, reviewJobId({ ...job, headSha: '', run: 'comment-5' })] },
    ]);
  });

  it('is empty when there are none', () => {
    expect(openRunsOfHead([], job)).toEqual([]);
  });
});
