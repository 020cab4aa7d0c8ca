import type { ChangedFile } from '../review/types.js';

/** Identifies one pull request of one installation. */
export interface PullRequestRef {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
}

export interface PullRequestInfo {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  author: { login: string; isBot: boolean };
  headSha: string;
  baseSha: string;
  baseRef: string;
  /** Changed files GitHub counts; the files API lists at most 3,000 of them. */
  changedFiles: number;
}

export interface InlineComment {
  path: string;
  line: number;
  side: 'RIGHT' | 'LEFT';
  start_line?: number;
  start_side?: 'RIGHT' | 'LEFT';
  body: string;
}

export interface ReviewDraft {
  commitId: string;
  body: string;
  /** Bulwark never approves: the port only accepts the events it may send. */
  event: 'COMMENT' | 'REQUEST_CHANGES';
  comments: InlineComment[];
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

export interface CheckRunStart {
  name: string;
  headSha: string;
  externalId: string;
  output?: CheckOutput;
}

export interface CheckRunCompletion {
  conclusion: 'success' | 'neutral' | 'failure' | 'skipped' | 'cancelled';
  output: CheckOutput;
}

export interface DirectoryEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
}

/** What Bulwark needs from GitHub for one installation, in its own words. */
export interface PullRequestHost {
  getPullRequest(ref: PullRequestRef): Promise<PullRequestInfo>;
  /** Every file of the PR (paginated; GitHub lists at most 3,000). */
  listFiles(ref: PullRequestRef): Promise<ChangedFile[]>;
  /** The repo config file from the default branch (org `.github` and `_extends` honoured); undefined when absent. */
  readConfig(ref: PullRequestRef, file: string): Promise<unknown>;
  /** A file's text at a commit; undefined when absent (or not a file). */
  readFile(ref: PullRequestRef, path: string, at: string): Promise<string | undefined>;
  /** Entries of a folder at a commit; [] when absent. `path` '' is the repository root. */
  listDirectory(ref: PullRequestRef, path: string, at: string): Promise<DirectoryEntry[]>;
  createCheckRun(ref: PullRequestRef, start: CheckRunStart): Promise<{ id: number }>;
  updateCheckRun(ref: PullRequestRef, checkRunId: number, output: CheckOutput): Promise<void>;
  completeCheckRun(ref: PullRequestRef, checkRunId: number, completion: CheckRunCompletion): Promise<void>;
  createReview(ref: PullRequestRef, review: ReviewDraft): Promise<{ id: number }>;
}
