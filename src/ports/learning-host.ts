import type { PullRequestRef } from './pull-request-host.js';

/**
 * What Bulwark reads of a whole repository to learn from its team (src/learning), in its own words. The pull
 * request of `ref` only names the repository: these listings span every pull request of it. Each is bounded, most
 * recent first, so reading stays a handful of requests whatever the repository's history.
 */
export interface LearningHost {
  /**
   * Review comments written by this App and carrying a Bulwark marker, across the repository's pull requests,
   * most recently updated first, at most `maxPages` pages of 100 comments read.
   */
  listOwnRepoReviewComments(ref: PullRequestRef, maxPages: number): Promise<OwnReviewComment[]>;
  /** Who reacted to a review comment, and how (one page of 100: a team's reactions to one comment fit). */
  listReviewCommentReactions(ref: PullRequestRef, commentId: number): Promise<CommentReaction[]>;
  /**
   * Resolved review threads started by this App (first comment carrying a Bulwark marker), in the
   * `maxPullRequests` most recently updated pull requests of the repository (open or closed).
   */
  listOwnResolvedThreads(ref: PullRequestRef, maxPullRequests: number): Promise<ResolvedThread[]>;
  /**
   * Conversation comments of the whole repository (issues and pull requests), most recently updated first, at most
   * `maxPages` pages of 100: this App's that carry a Bulwark marker, and the ids of every comment listed.
   */
  listRepoComments(ref: PullRequestRef, maxPages: number): Promise<RepoComments>;
}

export interface OwnReviewComment {
  id: number;
  /** The comment on GitHub (its `html_url`). */
  url: string;
  body: string;
  /** GitHub's reaction rollup on the comment: 👍 and 👎. */
  reactions: { up: number; down: number };
}

export interface CommentReaction {
  login: string;
  isBot: boolean;
  /** GitHub's reaction content: `+1`, `-1`, `eyes`, … */
  content: string;
}

export interface ResolvedThread {
  /** The thread's first comment (Bulwark's finding). */
  url: string;
  body: string;
  /** Who resolved it; `own` when this App did (a thread whose finding is gone, or a concession). */
  resolvedBy: { login: string; isBot: boolean; own: boolean } | undefined;
  /** GitHub marks a thread outdated once the line it is on has changed. */
  isOutdated: boolean;
}

export interface RepoComments {
  own: { id: number; url: string; body: string }[];
  /** Every comment id the listing held, whoever wrote it. */
  listed: number[];
  /** True when the listing reached the repository's oldest comment (nothing left unread). */
  complete: boolean;
}
