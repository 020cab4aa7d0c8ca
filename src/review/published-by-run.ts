import type { ReviewJob } from '../ports/job-queue.js';
import { parseMarkers } from '../render/markers.js';

/**
 * Whether a review body is the one this very run posted: its hidden marker names the job's head sha and run. Both
 * the scope (a resumed run's own review is no earlier review) and publishing (a run posts once) ask this.
 */
export function publishedByRun(body: string, job: Pick<ReviewJob, 'headSha' | 'run'>): boolean {
  return parseMarkers(body).some((marker) => marker.kind === 'review' && marker.data.head === job.headSha && marker.data.run === job.run);
}
