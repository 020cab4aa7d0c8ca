import { deniedMarker } from './markers.js';
import { codeSpan } from './sanitize-text.js';

export const HELP_TEXT = [
  '**Bulwark commands** (for people with write, maintain or admin permission):',
  '',
  '- `/review` — review what changed since Bulwark\'s last review of this pull request',
  '- `/review full` — review the whole pull request again',
  '- `/review help` — show this help',
  '',
  'Re-run on the **Bulwark** check also reviews its commit again. Settings live in `.github/bulwark.yml` on the default branch.',
].join('\n');

/** The answer to `/review help`, marked with the comment it answers. */
export function renderHelpReply(commentId: number): string {
  return `${HELP_TEXT}\n\n<!-- bulwark:help ${JSON.stringify({ comment: commentId })} -->`;
}

/** The one reply to someone without write permission who asked for a review; its marker finds it again. */
export function renderDeniedReply(login: string): string {
  return [
    `Bulwark reviews on request only for people with write, maintain or admin permission on this repository; ${codeSpan(login)} does not have it.`,
    'A maintainer can comment `/review` instead.',
    '',
    deniedMarker({ user: login }),
  ].join('\n');
}
