import pLimit from 'p-limit';
import { WRITE_PERMISSIONS } from '../conversation/authorize-request.js';
import type { CommentReaction, LearningHost } from '../ports/learning-host.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { maskSecretsInText } from '../secrets/index.js';
import { feedbackSignals, hasFindingReactions, peopleToCheck } from './feedback-signals.js';
import { keptLearnings } from './learning-comments.js';
import type { KeptLearning } from './learning-comments.js';
import type { Learning, LearningSnapshot } from './learning-snapshot.js';

/**
 * How much of a repository's history is read (README "Learnings"): each bound keeps a read to a handful of
 * requests, most recent first, whatever the repository's size.
 */
export interface ReadLimits {
  /** Pages of 100 of the repository's review comments (most recently updated first). */
  reviewCommentPages: number;
  /** Comments whose reactions are listed, one request each. */
  reactedComments: number;
  /** Most recently updated pull requests whose resolved threads are read (one GraphQL query). */
  pullRequests: number;
  /** People whose permission is checked, one request each. */
  people: number;
  /** Pages of 100 of the repository's conversation comments, where the learnings are kept. */
  commentPages: number;
  /** Learnings kept at most (newest first): the prompt takes fewer still (prompt-learnings.ts). */
  learnings: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { reviewCommentPages: 3, reactedComments: 30, pullRequests: 20, people: 30, commentPages: 10, learnings: 50 };

/** What a read asks of GitHub: the repository's listings, who may give verdicts, whether a comment still exists. */
export type LearningReader = LearningHost & Pick<PullRequestHost, 'getPermission' | 'getComment'>;

/** Requests of one read in flight at once, well under GitHub's limit of 100 concurrent requests. */
const CONCURRENCY = 4;

/**
 * What the repository's team taught Bulwark, read from GitHub (DESIGN "What Bulwark remembers, and where"): the
 * verdicts on Bulwark's posted findings, and the learnings kept on Bulwark's replies to `/review learn`. Only
 * this App's comments and markers count (the host lists only its own), only people with write access give
 * verdicts, a learning whose `/review learn` comment was deleted is dropped, and every learning's text is
 * masked for secrets before it is kept anywhere.
 */
export async function readLearning(host: LearningReader, ref: PullRequestRef, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<LearningSnapshot> {
  const limit = pLimit(CONCURRENCY);
  const [comments, threads, repoComments] = await Promise.all([
    host.listOwnRepoReviewComments(ref, limits.reviewCommentPages),
    host.listOwnResolvedThreads(ref, limits.pullRequests),
    host.listRepoComments(ref, limits.commentPages),
  ]);
  const reacted = comments.filter(hasFindingReactions).slice(0, limits.reactedComments);
  const reactions = new Map<number, CommentReaction[]>(
    await Promise.all(reacted.map((comment) => limit(async () => [comment.id, await host.listReviewCommentReactions(ref, comment.id)] as const))),
  );
  const people = peopleToCheck(reactions, threads).slice(0, limits.people);
  const permissions = await Promise.all(people.map((login) => limit(async () => [login, await host.getPermission(ref, login)] as const)));
  const writers = new Set(permissions.filter(([, permission]) => WRITE_PERMISSIONS.includes(permission)).map(([login]) => login.toLowerCase()));
  const signals = feedbackSignals({ comments, reactions, threads, writers });

  const kept = keptLearnings(repoComments).slice(0, limits.learnings);
  const present = await Promise.all(
    kept.map(({ learning, sourceListed }) =>
      limit(async () => {
        if (sourceListed) return true;
        // Not among the comments listed: deleted, unless the listing stopped before reaching it.
        if (repoComments.complete) return false;
        return (await host.getComment(ref, learning.sourceId)) !== undefined;
      }),
    ),
  );
  const learnings = await Promise.all(kept.filter((_, index) => present[index]).map(({ learning }) => masked(learning)));
  return { signals, learnings };
}

async function masked(learning: KeptLearning): Promise<Learning> {
  const { text } = await maskSecretsInText(learning.text);
  return { ...learning, text };
}
