import { describe, expect, it } from 'vitest';
import { renderConfigProblems } from '../../src/render/render-config-problems.js';
import { renderOutcome } from '../../src/render/render-outcome.js';

describe('renderOutcome', () => {
  it('completes every kind of outcome with the Re-review button', () => {
    const outcomes = [
      renderOutcome({ kind: 'skipped', why: { kind: 'closed', number: 4, merged: true } }),
      renderOutcome({ kind: 'config-invalid', file: 'bulwark.yml', problems: ['review.on: invalid'] }),
      renderOutcome({ kind: 'over-budget', limit: { kind: 'installation-tokens', limit: 1000, resetsAt: Date.UTC(2026, 0, 2) } }),
      renderOutcome({ kind: 'failed', service: 'anthropic', message: 'overloaded' }),
      renderOutcome({ kind: 'gave-up', reason: { kind: 'shutdown' } }),
    ];
    expect(outcomes.map((completion) => completion.conclusion)).toEqual(['skipped', 'neutral', 'neutral', 'neutral', 'neutral']);
    expect(outcomes.every((completion) => completion.actions[0]?.identifier === 'rereview')).toBe(true);
  });

  it('says what failed and how to retry, and never passes a failure', () => {
    const completion = renderOutcome({ kind: 'failed', service: 'anthropic', message: 'The model API answered 529 (overloaded).' });
    expect(completion.output.title).toBe('Review failed: model API (Anthropic)');
    expect(completion.output.summary).toContain('It failed during **model review**');
    expect(completion.output.summary).toContain('**How to retry:** Comment `/review`');
    const internal = renderOutcome({ kind: 'failed', service: 'internal', message: undefined });
    expect(internal.output.summary).toContain('Bulwark hit an internal error; the details are in its logs.');
  });

  it('is neutral for changed code nobody could read, failure when the check blocks; a superseded give-up is skipped', () => {
    const skipped = [{ path: 'big.sql', reason: 'diff-too-large' as const }];
    expect(renderOutcome({ kind: 'unread', skipped, blocking: false }).conclusion).toBe('neutral');
    expect(renderOutcome({ kind: 'unread', skipped, blocking: true }).conclusion).toBe('failure');
    expect(renderOutcome({ kind: 'gave-up', reason: { kind: 'superseded' } }).conclusion).toBe('skipped');
  });

  it('words a skip from its reason', () => {
    expect(renderOutcome({ kind: 'skipped', why: { kind: 'nothing-reviewable', skipped: 3 } }).output).toEqual({
      title: 'Review skipped: No reviewable files',
      summary: 'All 3 changed files were skipped (removed, binary, generated, vendored, lock files or excluded by config).',
    });
    expect(renderOutcome({ kind: 'skipped', why: { kind: 'unchanged', basis: { kind: 'already-reviewed', last: 'a'.repeat(40) } } }).output.summary).toBe(
      'Bulwark already reviewed `aaaaaaa` and nothing changed since. Comment `/review full` to review everything again.',
    );
  });
});

describe('renderConfigProblems', () => {
  it('names the file, each field and its problem, and what to do', () => {
    expect(renderConfigProblems('bulwark.yml', ['review.on: Invalid option', 'check.fail_on: expected a severity'])).toEqual({
      title: 'Invalid .github/bulwark.yml',
      summary: [
        'Bulwark did not review this pull request because `.github/bulwark.yml` (default branch) is invalid:',
        '',
        '- `review.on`: Invalid option',
        '- `check.fail_on`: expected a severity',
        '',
        'Fix the file on the default branch, then comment `/review` or use **Re-run** on this check.',
      ].join('\n'),
    });
  });
});
