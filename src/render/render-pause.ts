import { pauseMarker } from './markers.js';
import { codeSpan } from './sanitize-text.js';

/** The comment that keeps automatic reviews paused: what it means, how to undo it, and the marker that holds the state. */
export function renderPausedComment(by: string): string {
  return [
    `**Automatic reviews of this pull request are paused** (${codeSpan(by)} commented \`/review pause\`). Bulwark does not review new pushes or reopenings until someone with write access comments \`/review resume\`; \`/review\` and the other commands still work.`,
    '',
    pauseMarker({ by }),
  ].join('\n');
}

/** The same comment once resumed: kept as a record, without the marker (so nothing is paused any more). */
export function renderResumedComment(by: string, resumedBy: string): string {
  return `~~Automatic reviews of this pull request were paused by ${codeSpan(by)}.~~ ${codeSpan(resumedBy)} resumed them with \`/review resume\`.`;
}

/** `/review resume` when nothing is paused. */
export function renderNotPausedReply(): string {
  return 'Automatic reviews of this pull request are not paused; nothing to resume. (`/review pause` pauses them.)';
}
