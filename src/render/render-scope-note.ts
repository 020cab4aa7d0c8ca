import type { ScopeBasis } from '../review/review-scope.js';

/** What the check summary says about the scope of a review; nothing for a first or a requested full review. */
export function renderScopeNote(basis: ScopeBasis): string | undefined {
  switch (basis.kind) {
    case 'first':
    case 'asked-full':
      return undefined;
    case 'already-reviewed':
      return `Bulwark already reviewed \`${basis.last.slice(0, 7)}\` and nothing changed since. Comment \`/review full\` to review everything again.`;
    case 'identical':
      return `Nothing changed since the last review of \`${basis.last.slice(0, 7)}\`.`;
    case 'rewritten':
      return 'Full review: the history since the last review was rewritten (force-push) or is gone.';
    case 'too-many-changes':
      return 'Full review: too many files changed since the last review to compare.';
    case 'since':
      return `Incremental review: ${basis.changed} file(s) of this pull request changed since \`${basis.last.slice(0, 7)}\`${basis.upstream ? `; ${basis.upstream} file(s) changed only by merging the base branch were not reviewed` : ''}. Comment \`/review full\` to review everything.`;
  }
}
