import type { OwnComment } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';

/** Bulwark's comments that keep a pull request's automatic reviews paused (their `bulwark:pause` marker), oldest first. */
export function pauseComments(comments: readonly OwnComment[]): { id: number; by: string }[] {
  return comments.flatMap((comment) => {
    const marker = parseMarkers(comment.body).find((found) => found.kind === 'pause');
    return marker?.kind === 'pause' ? [{ id: comment.id, by: marker.data.by }] : [];
  });
}
