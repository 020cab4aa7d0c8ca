import { describe, expect, it } from 'vitest';
import { endedWithoutReview } from '../../src/render/ended-without-review.js';
import { renderOutcome } from '../../src/render/render-outcome.js';
import type { ReviewOutcome } from '../../src/review/review-outcome.js';
import type { ReviewResult } from '../../src/review/types.js';

const RESETS = Date.parse('2026-12-04T00:00:00Z');

function reviewed(partial: boolean, conclusion: 'success' | 'neutral' | 'failure'): ReviewOutcome {
  const result = {
    headSha: 'a'.repeat(40), summary: '', checklist: [], inline: [], overflow: [], unanchored: [], belowThreshold: 0, invalidFindings: 0,
    reviewedFiles: ['src/a.ts'], skipped: partial ? [{ path: 'src/b.ts', reason: 'over-budget' }] : [], agent: { name: 'backend-specialist', source: 'bundled' }, model: 'claude-sonnet-5-5',
  } as unknown as ReviewResult;
  return {
    kind: 'reviewed', result, conclusion, partial, unlisted: 0, durationMs: 1000,
    ledger: { model: 'claude-sonnet-5-5', usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 }, filesReviewed: 1, filesSkipped: partial ? 1 : 0, durationMs: 1000, chunks: 1, usd: 0 },
    notes: { scope: { kind: 'first' }, changedFiles: 1, listed: 1, failedFiles: 0, firstError: undefined, countNote: undefined, kept: 0, asked: 1, contextTooLargeBytes: undefined, clipped: [], repeats: 0, resolved: 0, secretsMasked: 0, agent: [] },
  } as ReviewOutcome;
}

const withoutReview: [string, ReviewOutcome][] = [
  ['a draft', { kind: 'skipped', why: { kind: 'draft' } }],
  ['a paused pull request', { kind: 'skipped', why: { kind: 'paused', by: 'octocat' } }],
  ['a bot', { kind: 'skipped', why: { kind: 'bot', login: 'dependabot[bot]' } }],
  ['an invalid config', { kind: 'config-invalid', file: 'bulwark.yml', problems: ['review.max_comments: too big'] }],
  ['the installation budget', { kind: 'over-budget', limit: { kind: 'installation-tokens', limit: 1000, resetsAt: RESETS } }],
  ['the per-pull-request limit', { kind: 'over-budget', limit: { kind: 'pull-request-reviews', limit: 3, resetsAt: RESETS } }],
  ['a model failure', { kind: 'failed', service: 'anthropic', message: 'Anthropic rejected the request (400)' }],
  ['an internal failure', { kind: 'failed', service: 'internal', message: undefined }],
  ['a shutdown', { kind: 'gave-up', reason: { kind: 'shutdown' } }],
  ['a stalled job', { kind: 'gave-up', reason: { kind: 'stalled' } }],
  ['a last failed attempt', { kind: 'gave-up', reason: { kind: 'failed', attempt: 3 } }],
  ['a superseded job', { kind: 'gave-up', reason: { kind: 'superseded' } }],
  ['a lost job', { kind: 'gave-up', reason: { kind: 'lost' } }],
];

describe('endedWithoutReview: which completed check runs settle nothing about their head', () => {
  it.each(withoutReview)('is true for the check run of %s', (_name, outcome) => {
    expect(endedWithoutReview(renderOutcome(outcome).output.title)).toBe(true);
  });

  it.each([
    ['a clean review', reviewed(false, 'success')],
    ['a review with findings', reviewed(false, 'neutral')],
    ['a blocking review', reviewed(false, 'failure')],
    ['a partial review', reviewed(true, 'neutral')],
  ])('is false for the check run of %s', (_name, outcome) => {
    expect(endedWithoutReview(renderOutcome(outcome).output.title)).toBe(false);
  });

  it('is false for a run without a title (an older run, or another App)', () => {
    expect(endedWithoutReview(null)).toBe(false);
    expect(endedWithoutReview(undefined)).toBe(false);
  });
});
