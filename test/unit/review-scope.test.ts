import { describe, expect, it } from 'vitest';
import { renderScopeNote } from '../../src/render/render-scope-note.js';
import { scopeSince, scopeWithoutComparing } from '../../src/review/review-scope.js';

const LAST = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);

describe('review scope', () => {
  it('is full when asked, or the first time; unchanged when the head was reviewed; otherwise asks for a comparison', () => {
    expect(scopeWithoutComparing(true, LAST, HEAD)).toMatchObject({ mode: 'full', basis: { kind: 'asked-full' } });
    expect(scopeWithoutComparing(false, undefined, HEAD)).toMatchObject({ mode: 'full', basis: { kind: 'first' } });
    expect(scopeWithoutComparing(false, HEAD, HEAD)).toMatchObject({ mode: 'unchanged' });
    expect(scopeWithoutComparing(false, LAST, HEAD)).toBeUndefined();
  });

  it('reviews only what changed in the pull request since the last review, and says what merging the base brought', () => {
    const scope = scopeSince(LAST, ['src/a.ts', 'src/b.ts'], { status: 'ahead', files: ['src/a.ts', 'upstream.ts'], truncated: false });
    expect(scope.mode).toBe('incremental');
    expect([...(scope.paths ?? [])]).toEqual(['src/a.ts']);
    expect(renderScopeNote(scope.basis)).toBe(
      'Incremental review: 1 file(s) of this pull request changed since `aaaaaaa`; 1 file(s) changed only by merging the base branch were not reviewed. Comment `/review full` to review everything.',
    );
  });

  it('falls back to a full review after a force-push or a truncated comparison', () => {
    expect(scopeSince(LAST, [], { status: 'diverged', files: [], truncated: false })).toMatchObject({ mode: 'full', basis: { kind: 'rewritten' } });
    expect(scopeSince(LAST, [], { status: 'ahead', files: [], truncated: true })).toMatchObject({ mode: 'full', basis: { kind: 'too-many-changes' } });
    expect(scopeSince(LAST, [], { status: 'identical', files: [], truncated: false })).toMatchObject({ mode: 'unchanged' });
  });
});
