import type { RepoComments } from '../ports/learning-host.js';
import { parseMarkers } from '../render/markers.js';
import type { LearningMarkerData } from '../render/markers.js';
import type { Learning } from './learning-snapshot.js';

/** A learning as Bulwark's reply keeps it, before its source is checked and its text masked. */
export type KeptLearning = Learning;

/**
 * The learnings Bulwark's own replies keep (`bulwark:learning` markers; the host lists only this App's comments),
 * newest first. A reply marked forgotten (`/review forget`) removes its learning, and so does any other reply of
 * Bulwark's that marks the same id forgotten. `sourceListed`: whether the `/review learn` comment is among those
 * listed (deleting it removes the learning; one not listed is checked by the caller when the listing was cut).
 */
export function keptLearnings(comments: RepoComments): { learning: KeptLearning; sourceListed: boolean }[] {
  const listed = new Set(comments.listed);
  const forgotten = new Set<string>();
  const found = new Map<string, KeptLearning>();
  for (const comment of comments.own) {
    for (const marker of parseMarkers(comment.body)) {
      if (marker.kind !== 'learning') continue;
      if (marker.data.forgotten) forgotten.add(marker.data.id);
      else if (marker.data.text !== undefined && !found.has(marker.data.id)) found.set(marker.data.id, toLearning(marker.data, marker.data.text, comment));
    }
  }
  return [...found.values()]
    .filter((learning) => !forgotten.has(learning.id))
    .sort((a, b) => b.ackId - a.ackId)
    .map((learning) => ({ learning, sourceListed: listed.has(learning.sourceId) }));
}

/** The reply of Bulwark's that keeps learning `id` (not forgotten), if it is among `comments`. */
export function learningReply(comments: RepoComments, id: string): { id: number; url: string; data: LearningMarkerData } | undefined {
  for (const comment of comments.own) {
    const marker = parseMarkers(comment.body).find((found) => found.kind === 'learning' && found.data.id.toLowerCase() === id.toLowerCase());
    if (marker?.kind === 'learning' && !marker.data.forgotten) return { id: comment.id, url: comment.url, data: marker.data };
  }
  return undefined;
}

function toLearning(data: LearningMarkerData, text: string, comment: RepoComments['own'][number]): KeptLearning {
  return {
    id: data.id,
    text,
    by: data.by,
    sourceId: data.source,
    sourceUrl: commentUrl(comment.url, data.source),
    ackId: comment.id,
    ackUrl: comment.url,
  };
}

/** The reply sits on the same page as the comment it answers: the same address with the other comment's anchor. */
function commentUrl(replyUrl: string, commentId: number): string {
  const page = replyUrl.split('#', 1)[0] ?? replyUrl;
  return `${page}#issuecomment-${commentId}`;
}
