export type ReviewTrigger = 'opened' | 'reopened' | 'ready_for_review' | 'synchronize' | 'command' | 'rerequested' | 'base_changed';

/**
 * What a comment asks for. Reviews: `review`, `full`, `describe` (a review that also asks for the walkthrough) and
 * `help`, run by the review runner. Conversation: `ask` (a question about the whole pull request), `pause`,
 * `resume`, `learn`, `learnings`, `forget`, and `answer` (a reply in one of Bulwark's review threads that mentions
 * the App or starts with `/ask`), run by the conversation runner (src/conversation/dispatch-job.ts).
 */
export type CommandKind = 'review' | 'full' | 'help' | 'describe' | 'ask' | 'pause' | 'resume' | 'learn' | 'learnings' | 'forget' | 'answer';

/** One review of one head sha. Carries no tokens or secrets: workers authenticate themselves. */
export interface ReviewJob {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /**
   * The commit to review. Empty for a `/review` command: the comment event does not carry the head, and the
   * webhook handler makes no GitHub call, so the job reads it after checking the commenter's permission.
   */
  headSha: string;
  trigger: ReviewTrigger;
  /** `/review full` asks for everything, not only what changed since the last review. */
  full: boolean;
  deliveryId: string;
  /**
   * Which run of this head the job is: `auto` for opened and synchronize (one run per head), `ready-<delivery>`
   * and `reopened-<delivery>` for ready_for_review and reopened (pullRequestRun), `comment-<id>` for a `/review` command, `rerun-<delivery>` for Re-run, `base-<delivery>` for a base
   * change. Redeliveries keep it; it is part of the job id and of the review's marker, so a run publishes at most
   * once.
   */
  run: string;
  requestedBy?: string;
  /**
   * Set for a command; the job checks the commenter's permission before anything else. `commentId` is the comment
   * that asked (an issue comment; for `answer`, the reply: a review comment, and `inReplyTo` the thread's first
   * comment). No text of the comment is kept here: a job that needs it reads the comment again by its id.
   */
  command?: { kind: CommandKind; commentId: number; inReplyTo?: number };
}

/** What a running job may ask of its queue. */
export interface JobControl {
  /** 1 for the first run; each retry after a retryable failure counts up (a run lost with a dead worker does not). */
  attempt: number;
  /** Runs the queue allows in all; a handler on its last attempt must finish the check run itself. */
  maxAttempts: number;
  /** True once a newer head sha of the same PR has been queued: the job must stop before it publishes. */
  isSuperseded(): Promise<boolean>;
  /**
   * What an earlier attempt of this same job saved with `saveCheckpoint`, or undefined. Untrusted shape: the
   * reader validates it.
   */
  loadCheckpoint(): Promise<unknown>;
  /**
   * Keeps `data` (JSON, copied) for this job's later attempts only, in this process's memory: never in a shared
   * store, which holds no model output. A later attempt in another process finds nothing.
   */
  saveCheckpoint(data: unknown): Promise<void>;
  /**
   * True while the queue still holds a job of this id (waiting, running, or waiting for a retry): its check run is
   * being worked on. False for a job the queue finished, dropped or never had (e.g. lost with a crashed process).
   */
  isLive(jobId: string): Promise<boolean>;
}

/** Why a queue gave up on a job: it will not run again, in this process or any other. */
export type GiveUpReason =
  /** The process stopped before the job ran or finished (the in-process queue keeps nothing across a restart). */
  | { kind: 'shutdown' }
  /** The workers running it stopped (crashed, were killed) more often than the queue allows. */
  | { kind: 'stalled' }
  /** Its last attempt failed. */
  | { kind: 'failed'; attempt: number }
  /** A newer head of the pull request was queued while this job waited for its retry. */
  | { kind: 'superseded' };

/**
 * Called by a queue for every job it gives up on, so the job's check run never stays "in progress" (README: every
 * review job ends in a completed check run). It must not throw; the queue bounds how long it waits for it.
 */
export type GiveUpHandler = (job: ReviewJob, reason: GiveUpReason) => Promise<void>;

/**
 * Runs one job. Throwing `RetryLaterError` asks the queue to run it again with backoff (only when
 * attempt < maxAttempts); any other throw is logged and the job is done.
 */
export type JobHandler = (job: ReviewJob, control: JobControl) => Promise<void>;

export class RetryLaterError extends Error {
  /** The least delay before the next attempt (a service's retry-after); the queue's own backoff when longer. */
  readonly delayMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; delayMs?: number | undefined }) {
    super(message, { cause: options?.cause });
    this.name = 'RetryLaterError';
    this.delayMs = options?.delayMs;
  }
}

/** By name as well as class, so an error rebuilt across a module boundary still counts. */
export function isRetryLater(error: unknown): boolean {
  return error instanceof RetryLaterError || (error instanceof Error && error.name === 'RetryLaterError');
}

/**
 * A queue's delay before attempt `attempt + 1`: exponential from `backoffMs`, never shorter than the error asks.
 * The error is a RetryLaterError, or what a queue rethrew in its place carrying the same `delayMs` (BullMQ).
 */
export function retryDelayMs(backoffMs: number, attempt: number, error: unknown): number {
  const asked = error instanceof Error && 'delayMs' in error && typeof error.delayMs === 'number' && Number.isFinite(error.delayMs) ? error.delayMs : 0;
  return Math.max(Math.round(backoffMs * 2 ** Math.max(0, attempt - 1)), Math.min(asked, MAX_RETRY_DELAY_MS));
}

/** A retry-after beyond this (a primary rate limit resets within the hour) is capped to it. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export interface EnqueueResult {
  jobId: string;
  /** False when an identical job (same installation, repo, PR and head sha) is already waiting or running. */
  queued: boolean;
}

/**
 * Who is waiting for a job: a person (a command, Re-run or Re-review), whose jobs run before automatic reviews
 * already waiting, or nobody in particular (a pull request event).
 */
export type JobKind = 'command' | 'automatic';

export function jobKind(job: Pick<ReviewJob, 'trigger' | 'command'>): JobKind {
  return job.command !== undefined || job.trigger === 'command' || job.trigger === 'rerequested' ? 'command' : 'automatic';
}

/** What a queue tells `/metrics` as it works (instrumentQueue); every member is optional to call. */
export interface QueueObserver {
  /** A job starts its first run, `waitedMs` after it was queued (a cap's hold included). */
  started(kind: JobKind, waitedMs: number): void;
  /** A waiting job was dropped: a newer head of its pull request was queued. */
  superseded(kind: JobKind): void;
  /** A job could have run but was held back: its repository or installation had as many reviews running as allowed. */
  heldBack(kind: JobKind, cap: 'repository' | 'installation'): void;
}

export interface JobQueue {
  enqueue(job: ReviewJob): Promise<EnqueueResult>;
  /** Jobs waiting to run, by kind (with Redis: in the queue every replica shares), for `/metrics`. */
  waiting?(): Promise<Record<JobKind, number>>;
  /** Hands the queue what to tell as it works; called once, before `start`. */
  observe?(observer: QueueObserver): void;
  /** Starts consuming jobs with the handler; `onGiveUp` hears of every job the queue gives up on. */
  start(handler: JobHandler, onGiveUp?: GiveUpHandler): void;
  /** Stops taking jobs and waits for running ones, at most `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
  /** Resolves when nothing is waiting or running (in-process queue; used by tests and shutdown). */
  onIdle(): Promise<void>;
  /** True when the queue backend answers. */
  healthy(): Promise<boolean>;
}

/** Identifies the PR regardless of head: a newer head supersedes older jobs of the same key. */
export function pullRequestKey(job: Pick<ReviewJob, 'installationId' | 'owner' | 'repo' | 'pullNumber'>): string {
  return `pr/${job.installationId}/${job.owner}/${job.repo}/${job.pullNumber}`;
}

/**
 * Jobs of one key are one job while it waits (the item 7: `/review` spam cost a permission lookup and a
 * listing of the pull request's comments per comment). Commands only, keyed by pull request, person and command:
 * a command of someone without write permission must never swallow a maintainer's. While a job of the key runs, one
 * more is kept for after it (the running one may have read an older head); undefined: the job never coalesces.
 */
export function coalesceKey(job: Pick<ReviewJob, 'installationId' | 'owner' | 'repo' | 'pullNumber' | 'requestedBy' | 'command'>): string | undefined {
  if (!job.command || !job.requestedBy || DISTINCT_COMMANDS.has(job.command.kind)) return undefined;
  return `command/${job.installationId}/${job.owner}/${job.repo}/${job.pullNumber}/${job.requestedBy.toLowerCase()}/${job.command.kind}`;
}

/** Commands whose comments each say something of their own (a question, a learning): two are two jobs. */
const DISTINCT_COMMANDS: ReadonlySet<CommandKind> = new Set(['ask', 'answer', 'learn', 'forget']);

/** The semantic key: redeliveries and duplicate events of the same head and run collapse into one job. */
export function reviewJobId(job: Pick<ReviewJob, 'installationId' | 'owner' | 'repo' | 'pullNumber' | 'headSha' | 'run'>): string {
  // BullMQ refuses ':' in custom job ids, so the parts are joined with '/'.
  return `review/${job.installationId}/${job.owner}/${job.repo}/${job.pullNumber}/${job.headSha}/${job.run}`;
}
