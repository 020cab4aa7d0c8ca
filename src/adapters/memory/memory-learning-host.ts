import type { CommentReaction, LearningHost } from '../../ports/learning-host.js';
import type { PullRequestRef } from '../../ports/pull-request-host.js';

type Author = { login: string; isBot: boolean };

/** A review comment anywhere in the repository, with who reacted to it. */
export interface MemoryRepoReviewComment {
  id: number;
  pullNumber: number;
  body: string;
  author: Author;
  reactions: CommentReaction[];
}

/** A review thread anywhere in the repository: its first comment, and whether (and by whom) it was resolved. */
export interface MemoryRepoThread {
  pullNumber: number;
  firstCommentId: number;
  body: string;
  author: Author;
  isResolved: boolean;
  isOutdated: boolean;
  resolvedBy?: Author | undefined;
}

/** What the memory host holds of the repository's history beyond one pull request (src/learning reads it). */
export interface MemoryRepoFeedback {
  reviewComments: MemoryRepoReviewComment[];
  threads: MemoryRepoThread[];
}

const MARKER = '<!-- bulwark:';
const PER_PAGE = 100;

/**
 * LearningHost over the memory host's state, behaving like the GitHub adapter where the pipeline can tell: only
 * the App's own bodies with a marker are listed, listings are most recent first (highest id) and stop after the
 * pages allowed, and conversation comments (the memory host's `comments`) are listed with their ids.
 */
export function memoryLearningHost(
  feedback: MemoryRepoFeedback,
  comments: () => readonly { id?: number | undefined; pullNumber: number; body: string; author: Author }[],
  isOwn: (author: Author) => boolean,
  act: <T>(method: keyof LearningHost, work: () => T) => Promise<T>,
): LearningHost {
  const page = (ref: PullRequestRef, pullNumber: number) => `https://github.com/${ref.owner}/${ref.repo}/pull/${pullNumber}`;
  return {
    listOwnRepoReviewComments: (ref, maxPages) =>
      act('listOwnRepoReviewComments', () =>
        [...feedback.reviewComments]
          .sort((a, b) => b.id - a.id)
          .slice(0, maxPages * PER_PAGE)
          .filter((comment) => isOwn(comment.author) && comment.body.includes(MARKER))
          .map((comment) => ({
            id: comment.id,
            url: `${page(ref, comment.pullNumber)}#discussion_r${comment.id}`,
            body: comment.body,
            reactions: { up: comment.reactions.filter((reaction) => reaction.content === '+1').length, down: comment.reactions.filter((reaction) => reaction.content === '-1').length },
          })),
      ),
    listReviewCommentReactions: (_ref, commentId) =>
      act('listReviewCommentReactions', () => structuredClone(feedback.reviewComments.find((comment) => comment.id === commentId)?.reactions ?? []).slice(0, PER_PAGE)),
    listOwnResolvedThreads: (ref, maxPullRequests) =>
      act('listOwnResolvedThreads', () => {
        const recent = new Set([...new Set(feedback.threads.map((thread) => thread.pullNumber))].sort((a, b) => b - a).slice(0, maxPullRequests));
        return feedback.threads
          .filter((thread) => recent.has(thread.pullNumber) && thread.isResolved && isOwn(thread.author) && thread.body.includes(MARKER))
          .map((thread) => ({
            url: `${page(ref, thread.pullNumber)}#discussion_r${thread.firstCommentId}`,
            body: thread.body,
            isOutdated: thread.isOutdated,
            resolvedBy: thread.resolvedBy && { ...thread.resolvedBy, own: isOwn(thread.resolvedBy) },
          }));
      }),
    listRepoComments: (ref, maxPages) =>
      act('listRepoComments', () => {
        const all = comments()
          .filter((comment): comment is typeof comment & { id: number } => comment.id !== undefined)
          .sort((a, b) => b.id - a.id);
        const listed = all.slice(0, maxPages * PER_PAGE);
        return {
          own: listed.filter((comment) => isOwn(comment.author) && comment.body.includes(MARKER)).map((comment) => ({ id: comment.id, url: `${page(ref, comment.pullNumber)}#issuecomment-${comment.id}`, body: comment.body })),
          listed: listed.map((comment) => comment.id),
          complete: listed.length === all.length,
        };
      }),
  };
}
