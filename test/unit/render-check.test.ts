import { describe, expect, it } from 'vitest';
import {
  renderCheckOutput,
  renderFailureOutput,
  renderSkippedOutput,
} from '../../src/render/render-check.js';
import type { AnchoredFinding, ReviewResult, SkippedFile, UnanchoredFinding } from '../../src/review/types.js';
import { buildAnchored } from '../helpers/build-finding.js';

function anchored(overrides: Partial<AnchoredFinding> = {}): AnchoredFinding {
  return buildAnchored({
    path: 'src/payments/charge.ts',
    line: 20,
    side: 'RIGHT',
    severity: 'medium',
    category: 'reliability',
    title: 'Retry without backoff',
    body: 'Retries hammer the provider.',
    ...overrides,
  });
}

function unanchored(overrides: Partial<UnanchoredFinding> = {}): UnanchoredFinding {
  return {
    path: 'src/payments/refund.ts',
    line: 5,
    severity: 'low',
    category: 'tests',
    title: 'No test for partial refunds',
    body: 'Add one.',
    reason: 'line-not-in-diff',
    ...overrides,
  };
}

function result(overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    headSha: 'abc123',
    summary: 'Adds charges.',
    checklist: [],
    inline: [],
    overflow: [],
    unanchored: [],
    belowThreshold: 0,
    invalidFindings: 0,
    reviewedFiles: ['src/payments/charge.ts', 'src/payments/refund.ts', 'src/payments/index.ts'],
    skipped: [],
    agent: { name: 'backend-specialist', source: '.claude/agents/backend-specialist.md' },
    model: 'claude-sonnet-test',
    ...overrides,
  };
}

describe('renderCheckOutput annotations', () => {
  it('maps severities to levels: failure for critical and high, warning for medium, notice for low', () => {
    const output = renderCheckOutput(
      result({
        inline: [anchored({ severity: 'critical', line: 1 }), anchored({ severity: 'high', line: 2 })],
        overflow: [anchored({ severity: 'medium', line: 3 }), anchored({ severity: 'low', line: 4 })],
      }),
      'failure',
    );
    expect(output.annotations.map((annotation) => [annotation.start_line, annotation.annotation_level])).toEqual([
      [1, 'failure'],
      [2, 'failure'],
      [3, 'warning'],
      [4, 'notice'],
    ]);
  });

  it('covers a multi-line range', () => {
    const output = renderCheckOutput(result({ inline: [anchored({ startLine: 15, line: 20 })] }), 'neutral');
    expect(output.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.end_line])).toEqual([
      ['src/payments/charge.ts', 15, 20],
    ]);
  });

  it('annotates neither LEFT-side nor unanchored findings (a line GitHub rejects would fail the whole update), but lists them in the text', () => {
    const output = renderCheckOutput(
      result({
        inline: [anchored({ side: 'LEFT', title: 'Deleted guard' })],
        unanchored: [unanchored({ path: 'src/elsewhere.ts', reason: 'unknown-file', title: 'Guessed file' }), unanchored()],
      }),
      'neutral',
    );
    expect(output.annotations).toEqual([]);
    expect(output.text).toContain('Deleted guard');
    expect(output.text).toContain('Guessed file');
    expect(output.text).toContain('No test for partial refunds');
  });

  it('has no text when every finding is annotated', () => {
    expect('text' in renderCheckOutput(result({ inline: [anchored()] }), 'neutral')).toBe(false);
  });

  it('keeps titles within 255 characters and messages within a few KB, as plain text', () => {
    const output = renderCheckOutput(
      result({ inline: [anchored({ rule: 'REL-1', title: 'T'.repeat(400), body: 'B'.repeat(10_000), options: ['follow', 'deviate'] })] }),
      'neutral',
    );
    const [annotation] = output.annotations;
    expect(annotation?.title.length).toBe(255);
    expect(annotation?.title.startsWith('medium · reliability · REL-1: TTT')).toBe(true);
    expect(annotation?.message.length).toBeLessThanOrEqual(4_000);
    expect(annotation?.message.endsWith('…')).toBe(true);
  });

  it('includes the options in the message', () => {
    const [annotation] = renderCheckOutput(result({ inline: [anchored({ options: ['Follow the pattern', 'Refactor the root'] })] }), 'neutral').annotations;
    expect(annotation?.message).toBe('Retries hammer the provider.\n\nOptions:\n1. Follow the pattern\n2. Refactor the root');
  });
});

describe('renderCheckOutput title and summary', () => {
  it('summarises findings, conclusion, checklist, files, skipped files, agent and model', () => {
    const output = renderCheckOutput(
      result({
        inline: [anchored({ severity: 'high' }), anchored({ severity: 'high', line: 30 })],
        unanchored: [unanchored()],
        checklist: [{ item: 'Idempotency', status: 'concern', note: 'charge has no idempotency key' }],
        skipped: [
          { path: 'package-lock.json', reason: 'lockfile' },
          { path: 'dist/app.js', reason: 'generated' },
        ],
        belowThreshold: 4,
      }),
      'neutral',
      { ledger: '| Ledger | |\n|---|---|\n| Input tokens | 1,000 |' },
    );
    expect(output.title).toBe('3 findings (2 high)');
    expect(output.summary).toContain('**2 high, 1 low findings; check is not blocking.**');
    expect(output.summary).toContain('🔴 0 critical · 🟠 2 high · 🟡 0 medium · 🔵 1 low');
    expect(output.summary).toContain('4 findings below the configured minimum severity not posted.');
    expect(output.summary).toContain('| Idempotency | ⚠️ | charge has no idempotency key |');
    expect(output.summary).toContain('Reviewed 3 files.');
    expect(output.summary).toContain('### Skipped files (2)');
    expect(output.summary).toContain('| `package-lock.json` | lock file |');
    expect(output.summary).toContain('| `dist/app.js` | generated file |');
    expect(output.summary).toContain('Agent: **backend-specialist** (`.claude/agents/backend-specialist.md`) · model `claude-sonnet-test`');
    expect(output.summary.endsWith('| Input tokens | 1,000 |')).toBe(true);
  });

  it('says no issues were found and shows the duration when there is no ledger', () => {
    const output = renderCheckOutput(result(), 'success', { durationMs: 12_345 });
    expect(output.title).toBe('No issues found');
    expect(output.summary).toContain('**No issues found.**');
    expect(output.summary).toContain('took 12.3 s');
    expect(output.annotations).toEqual([]);
  });

  it('names a failing conclusion', () => {
    const output = renderCheckOutput(result({ inline: [anchored({ severity: 'critical' })] }), 'failure');
    expect(output.title).toBe('1 finding (1 critical)');
    expect(output.summary).toContain('**1 critical finding; check is failing as configured.**');
  });

  it('cuts a very long skipped list with "… and N more" and stays within 65,535 characters', () => {
    const skipped: SkippedFile[] = Array.from({ length: 5_000 }, (_, index) => ({ path: `vendor/lib/${'deep/'.repeat(40)}file-${index}.js`, reason: 'vendored' }));
    const output = renderCheckOutput(result({ skipped, checklist: Array.from({ length: 100 }, () => ({ item: 'i'.repeat(80), status: 'ok' as const, note: 'n'.repeat(1_000) })) }), 'success');
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
    expect(output.summary).toContain('### Skipped files (5000)');
    expect(output.summary).toContain('… and 4900 more.');
    expect(output.summary).toContain('file-99.js');
    expect(output.summary).not.toContain('file-100.js');
  });

  it('escapes pipes and mentions in model text placed in tables', () => {
    const output = renderCheckOutput(result({ checklist: [{ item: 'a|b', status: 'ok', note: 'ask @lead <b>now</b>' }] }), 'success');
    expect(output.summary).toContain('| a\\|b | ✅ | ask @\u200Dlead &lt;b&gt;now&lt;/b&gt; |');
  });
});

describe('renderFailureOutput', () => {
  it('says what failed and how to retry, without a stack trace or a token', () => {
    const output = renderFailureOutput({
      stage: 'model review',
      service: 'anthropic',
      message: 'Error: 529 overloaded (Authorization: Bearer sk-ant-api03-abcdefghijklmnop)\n    at Anthropic.request (/app/node_modules/@anthropic-ai/sdk/client.js:1:2)\n    at async review (/app/dist/jobs/run-review.js:10:3)',
      retryHint: 'Comment `/review` on the pull request, or use **Re-run** on this check, to try again.',
    });
    expect(output.title).toBe('Review failed: model API (Anthropic)');
    expect(output.summary).toContain('**model review**');
    expect(output.summary).toContain('529 overloaded');
    expect(output.summary).not.toMatch(/\bat (?:async|Anthropic)/);
    expect(output.summary).not.toContain('node_modules');
    expect(output.summary).not.toContain('abcdefghijklmnop');
    expect(output.summary).toContain('**How to retry:** Comment `/review` on the pull request, or use **Re-run** on this check, to try again.');
  });

  it('falls back to a generic message when only a stack was given', () => {
    const output = renderFailureOutput({ stage: 'review', message: '    at x (y.js:1:1)', retryHint: 'Re-run the check.' });
    expect(output.title).toBe('Review failed: internal error');
    expect(output.summary).toContain('No details were given.');
  });
});

describe('renderSkippedOutput', () => {
  it('titles the reason and keeps the Markdown detail', () => {
    const output = renderSkippedOutput('Draft pull request', 'Set `review.drafts: true` to review drafts.');
    expect(output).toEqual({ title: 'Review skipped: Draft pull request', summary: 'Set `review.drafts: true` to review drafts.' });
  });
});
