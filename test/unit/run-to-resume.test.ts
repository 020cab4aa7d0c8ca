import { describe, expect, it } from 'vitest';
import { reviewJobId } from '../../src/ports/job-queue.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import type { ExistingCheckRun } from '../../src/ports/pull-request-host.js';
import { runToResume } from '../../src/review/run-to-resume.js';

const job: ReviewJob = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 7, headSha: 'a'.repeat(40), trigger: 'ready_for_review', full: false, deliveryId: 'd', run: 'ready-d' };
const runOf = (id: number, run: string, status: string, conclusion: string | null = null): ExistingCheckRun => ({ id, externalId: reviewJobId({ ...job, run }), status, conclusion, appSlug: 'bulwark' });

describe('runToResume', () => {
  it('starts a run when the head has none of this job and none settled it', () => {
    expect(runToResume([], job)).toEqual({ kind: 'start', run: undefined });
    expect(runToResume([runOf(1, 'auto', 'completed', 'skipped')], job)).toEqual({ kind: 'start', run: undefined });
  });

  it('resumes the open run an earlier attempt of this job created', () => {
    const own = runOf(2, 'ready-d', 'in_progress');
    expect(runToResume([runOf(1, 'auto', 'completed', 'success'), own], job)).toEqual({ kind: 'resume', run: own });
  });

  it('has nothing to do when this job\'s run is completed', () => {
    const own = runOf(2, 'ready-d', 'completed', 'success');
    expect(runToResume([own], job)).toEqual({ kind: 'done', run: own });
  });

  it('leaves a head an earlier run reviewed, for a run that came back to it', () => {
    const earlier = runOf(1, 'auto', 'completed', 'failure');
    expect(runToResume([earlier], job)).toEqual({ kind: 'settled', run: earlier });
    expect(runToResume([earlier], { ...job, run: 'auto-2' })).toEqual({ kind: 'start', run: undefined });
  });
});
