import type { SkipWhy } from '../review/review-outcome.js';
import { renderSkippedOutput } from './render-check.js';
import { authorSkipped } from './render-limit.js';
import { renderScopeNote } from './render-scope-note.js';
import { codeSpan } from './sanitize-text.js';

/** The check output of a run that did not review the code: why, and how to get a review. */
export function renderSkip(why: SkipWhy): { title: string; summary: string } {
  const [reason, detail] = words(why);
  return renderSkippedOutput(reason, detail);
}

function words(why: SkipWhy): [string, string] {
  switch (why.kind) {
    case 'closed':
      return ['Pull request is closed', `#${why.number} is ${why.merged ? 'merged' : 'closed'}; Bulwark reviews open pull requests only.`];
    case 'moved-on':
      return ['Newer commits', `The pull request moved on to \`${why.headSha.slice(0, 7)}\`; this commit was not reviewed. Comment \`/review\` to review the latest commit.`];
    case 'paused':
      return [
        'Automatic reviews are paused',
        `${codeSpan(why.by)} paused automatic reviews of this pull request with \`/review pause\`. Comment \`/review resume\` to resume them, or \`/review\` to review this commit now.`,
      ];
    case 'draft':
      return ['Draft pull request', 'Bulwark reviews drafts when they are marked ready for review (or set `review.drafts: true`). Comment `/review` to review it now.'];
    case 'bot':
      return ['Opened by a bot', `Pull requests by bots (${why.login}) are skipped unless \`review.bots: true\` is set.`];
    case 'author': {
      const { reason, detail } = authorSkipped(why.association, why.authors);
      return [reason, detail];
    }
    case 'unchanged':
      return ['No changes since the last review', renderScopeNote(why.basis) ?? ''];
    case 'nothing-reviewable':
      return [
        'No reviewable files',
        why.skipped === 0
          ? 'The pull request changes no files.'
          : `All ${why.skipped} changed files were skipped (removed, binary, generated, vendored, lock files or excluded by config).`,
      ];
    case 'superseded':
      return ['Superseded by a newer push', 'A newer commit of this pull request was pushed while this one was being reviewed; its review replaces this one.'];
  }
}
