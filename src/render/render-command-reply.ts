import { deniedMarker } from './markers.js';
import { codeSpan } from './sanitize-text.js';

const HELP_TEXT = [
  '**Bulwark commands** (for people with write, maintain or admin permission):',
  '',
  '- `/review` — review what changed since Bulwark\'s last review of this pull request',
  '- `/review full` — review the whole pull request again',
  '- `/review describe` — review, with a walkthrough of the change',
  '- `/review ask <question>` — answer a question about this pull request in one comment',
  '- `/review pause` — stop automatic reviews of this pull request (commands still work)',
  '- `/review resume` — review this pull request automatically again',
  '- `/review learn <text>` — teach Bulwark something it applies to this repository\'s reviews',
  '- `/review learnings` — list what Bulwark applies in this repository, and where each came from',
  '- `/review forget <id>` — stop applying a learning',
  '- `/review help` — show this help',
  '',
  'In a review thread Bulwark started, reply mentioning the App (or starting with `/ask`) and Bulwark answers in the thread; when you are right, it says so and resolves the thread.',
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

/** A command this installation does not run (yet): said, so that no accepted command goes unanswered. */
export function renderNotAvailableReply(kind: string): string {
  return `\`/review ${kind}\` is not available on this Bulwark installation. Comment \`/review help\` for the commands it runs.`;
}
