import type { ChangedFile } from '../review/types.js';
import type { LearningHost } from './learning-host.js';

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
  /** `association`: GitHub's author_association of the author with the repository (OWNER, MEMBER, CONTRIBUTOR, NONE…). */
  author: { login: string; isBot: boolean; association: string };
  headSha: string;
  baseSha: string;
  baseRef: string;
  /**
   * The repository's default branch. The author picks the base branch, so what decides how the pull request is
   * reviewed (config, agent, skills) is read from this one.
   */
  defaultBranch: string;
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

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** The identifier of the "Re-review" button on Bulwark's completed check runs. */
export const RE_REVIEW_ACTION = 'rereview';

export interface CheckRunCompletion {
  conclusion: 'success' | 'neutral' | 'failure' | 'skipped' | 'cancelled';
  output: CheckOutput;
  /** Buttons shown on the completed run (at most 3; label ≤ 20, description ≤ 40, identifier ≤ 20 characters). */
  actions?: CheckAction[];
}

export interface DirectoryEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
}

/** The head archive, or the cap it went over. */
export type TarballDownload = { kind: 'archive'; bytes: Uint8Array } | { kind: 'too-large'; maxBytes: number };

/** What Bulwark needs from GitHub for one installation, in its own words (LearningHost: the repository's feedback). */
export interface PullRequestHost extends LearningHost {
  getPullRequest(ref: PullRequestRef): Promise<PullRequestInfo>;
  /** Tells the host which App it is (from a check run it created or resumed): its own bodies are told apart from other bots'. */
  learnOwnIdentity(appSlug: string | null): void;
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
  /**
   * The repository at a commit as a gzipped tarball (for the read-only context tools), streamed and counted: past
   * `maxBytes` compressed bytes (the declared length or the bytes received) the download stops and `too-large`
   * is answered, so an archive is never held in full before its size is known.
   */
  downloadTarball(ref: PullRequestRef, sha: string, maxBytes: number): Promise<TarballDownload>;
  /** Files changed between two commits (`base...head`); `truncated` when GitHub lists only part of them. */
  compareCommits(ref: PullRequestRef, base: string, head: string): Promise<Comparison>;
  /** Review threads of the PR that start with a comment by a bot carrying a Bulwark finding marker. */
  listOwnReviewThreads(ref: PullRequestRef): Promise<ReviewThread[]>;
  resolveReviewThread(ref: PullRequestRef, threadId: string): Promise<void>;
  /** The user's permission on the repo (collaborator permission API). */
  getPermission(ref: PullRequestRef, login: string): Promise<RepoPermission>;
  /** A reaction on a conversation comment (`issue-comment`, the default) or on a review comment. */
  addReaction(ref: PullRequestRef, commentId: number, content: 'eyes' | '+1' | 'confused', on?: 'issue-comment' | 'review-comment'): Promise<void>;
  /** Bodies of conversation comments written by bots and carrying a Bulwark marker. */
  listOwnComments(ref: PullRequestRef): Promise<string[]>;
  /** The same comments with their ids, for the ones Bulwark keeps up to date (the pause marker). */
  listOwnCommentEntries(ref: PullRequestRef): Promise<OwnComment[]>;
  /** One conversation comment of the pull request, read again by id; undefined when it is gone. */
  getComment(ref: PullRequestRef, commentId: number): Promise<CommentEntry | undefined>;
  updateComment(ref: PullRequestRef, commentId: number, body: string): Promise<void>;
  /**
   * The one conversation comment Bulwark keeps up to date instead of repeating (the walkthrough): its own comment
   * that `update.matches` (the oldest, if several) is edited to `update.render(its body)`, left alone when that
   * would not change it, and created with `update.render(undefined)` when there is none.
   */
  upsertOwnComment(ref: PullRequestRef, update: OwnCommentUpdate): Promise<void>;
  /** A review thread's comments: the first one (`rootCommentId`) and every reply to it, oldest first; [] when it is gone. */
  listThreadComments(ref: PullRequestRef, rootCommentId: number): Promise<ThreadComment[]>;
  /** Posts a reply at the end of the review thread that starts with `rootCommentId`. */
  replyInThread(ref: PullRequestRef, rootCommentId: number, body: string): Promise<{ id: number }>;
  /** Bodies of reviews on the PR written by bots and carrying a Bulwark marker. */
  listOwnReviews(ref: PullRequestRef): Promise<string[]>;
  /** Check runs of this name on a commit. */
  listCheckRuns(ref: PullRequestRef, headSha: string, name: string): Promise<ExistingCheckRun[]>;
  createComment(ref: PullRequestRef, body: string): Promise<void>;
}

export interface Comparison {
  /** `ahead`: head descends from base; `diverged`/`behind`: history was rewritten (force-push); `missing`: base is gone. */
  status: 'ahead' | 'behind' | 'diverged' | 'identical' | 'missing';
  files: string[];
  truncated: boolean;
}

export interface ReviewThread {
  id: string;
  path: string;
  isResolved: boolean;
  /** GitHub marks a thread outdated once the line it is on has changed. */
  isOutdated: boolean;
  /** The first comment's body (carries the finding marker). */
  body: string;
  /** The first comment's REST id (a reply in the thread names it as `in_reply_to_id`), when GitHub gave it. */
  rootCommentId?: number;
}

export interface OwnComment {
  id: number;
  body: string;
}

/** A comment of Bulwark's kept up to date (PullRequestHost.upsertOwnComment). */
export interface OwnCommentUpdate {
  /** Whether one of Bulwark's own comments is this one (by its marker). */
  matches: (body: string) => boolean;
  /** The body to write, from the comment's current body (undefined: there is none yet). */
  render: (previous: string | undefined) => string;
}

export interface CommentEntry {
  id: number;
  body: string;
  author: { login: string; isBot: boolean };
}

/** A comment of a review thread (REST pull request review comment). */
export interface ThreadComment extends CommentEntry {
  /** The thread's first comment this one replies to; undefined for the first comment itself. */
  inReplyTo: number | undefined;
  /** Written by this App (its login once known, else any bot: as for the other `Own` listings). */
  own: boolean;
  path: string;
  /** The line it is on, in the head (RIGHT) or base (LEFT); undefined when GitHub no longer places it. */
  line: number | undefined;
  side: 'RIGHT' | 'LEFT' | undefined;
  /** The diff hunk GitHub shows above the comment, ending at its line. */
  diffHunk: string;
}

export interface ExistingCheckRun {
  id: number;
  externalId: string | null;
  status: 'queued' | 'in_progress' | 'completed' | string;
  /** How a completed run ended (`success`, `skipped`…); null while it runs. */
  conclusion?: string | null;
  /** Its output's title, when it has one: says whether a completed run reviewed the code (render/ended-without-review.ts). */
  title?: string | null;
  /** The App that created the run. */
  appSlug: string | null;
}

export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
