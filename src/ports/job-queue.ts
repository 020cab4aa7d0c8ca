export type ReviewTrigger = 'opened' | 'reopened' | 'ready_for_review' | 'synchronize' | 'command' | 'rerequested';

/** One review of one head sha. Carries no tokens or secrets: workers authenticate themselves. */
export interface ReviewJob {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  trigger: ReviewTrigger;
  /** `/review full` asks for everything, not only what changed since the last review. */
  full: boolean;
  deliveryId: string;
  requestedBy?: string;
}

export type JobHandler = (job: ReviewJob) => Promise<void>;

export interface EnqueueResult {
  jobId: string;
  /** False when an identical job (same installation, repo, PR and head sha) is already waiting or running. */
  queued: boolean;
}

export interface JobQueue {
  enqueue(job: ReviewJob): Promise<EnqueueResult>;
  /** Starts consuming jobs with the handler. */
  start(handler: JobHandler): void;
  /** Stops taking jobs and waits for running ones, at most `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
  /** Resolves when nothing is waiting or running (in-process queue; used by tests and shutdown). */
  onIdle(): Promise<void>;
  /** True when the queue backend answers. */
  healthy(): Promise<boolean>;
}

/** The semantic key: redeliveries and duplicate events of the same head collapse into one job. */
export function reviewJobId(job: Pick<ReviewJob, 'installationId' | 'owner' | 'repo' | 'pullNumber' | 'headSha'>): string {
  // BullMQ refuses ':' in custom job ids, so the parts are joined with '/'.
  return `review/${job.installationId}/${job.owner}/${job.repo}/${job.pullNumber}/${job.headSha}`;
}
