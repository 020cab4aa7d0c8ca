import { describe, expect, it } from 'vitest';
import { splitCodeSpans, splitFences } from '../../src/render/markdown-segments.js';
import { renderCheckOutput, renderFailureOutput, renderSkippedOutput } from '../../src/render/render-check.js';
import { renderInlineComment } from '../../src/render/render-comment.js';
import { renderReview } from '../../src/render/render-review.js';
import type { AnchoredFinding, ReviewResult, UnanchoredFinding } from '../../src/review/types.js';
import { buildAnchored } from '../helpers/build-finding.js';

/**
 * Every place model-written text reaches a GitHub page, fed the same hostile text. Whatever the model writes, the
 * rendered Markdown must hold no live link, image, HTML, mention or cross-repository reference outside code.
 */
const HOSTILE = [
  '[click](https://evil.example/a)',
  '[ref][1]',
  '[1]: https://evil.example/ref',
  '<https://evil.example/auto>',
  'https://evil.example/bare',
  'www.evil.example',
  '![px](https://evil.example/p.png)',
  '<a href="https://evil.example/h">a</a>',
  '<img src=x>',
  '<picture></picture>',
  '&#64;admin',
  '@octocat',
  '@acme/security',
  'acme/infra#12',
  'acme/infra@a5c3785ed8d6a35868bc169f07e40e889087fd2e',
  'mail sec@evil.example',
].join(' ');

/** Prose GitHub renders live: everything outside fenced code and code spans. */
function liveProse(markdown: string): string {
  return splitFences(markdown)
    .flatMap((block) => (block.kind === 'fence' ? [] : splitCodeSpans(block.text)))
    .flatMap((segment) => (segment.kind === 'code' ? [] : [segment.text]))
    .join(' ');
}

function expectInert(markdown: string): void {
  const prose = liveProse(markdown);
  expect(prose).not.toMatch(/https?:|www\.|[\w.-]+@[\w-]+\.[\w.-]+/); // no URL or e-mail left to autolink
  expect(prose).not.toMatch(/(?<!\\)(?:\\\\)*[[\]]/); // no bracket that could open a link, image or definition
  expect(prose).not.toMatch(/<\/?(?:a|img|picture|https)\b/i); // none of the hostile HTML (Bulwark's own <sub> and markers are fine)
  expect(prose).not.toMatch(/&#/); // no entity GitHub would decode
  expect(prose).not.toMatch(/@[A-Za-z0-9]/); // no mention, no owner@sha
  expect(prose).not.toMatch(/[\w.-]#\d/); // no owner/repo#123
}

const anchored = (overrides: Partial<AnchoredFinding> = {}): AnchoredFinding => buildAnchored({
  path: 'src/a.ts',
  line: 3,
  side: 'RIGHT',
  severity: 'high',
  category: 'security',
  title: HOSTILE,
  body: `${HOSTILE}\n\n${HOSTILE}`,
  options: [HOSTILE, HOSTILE],
  ...overrides,
});

const unanchored = (): UnanchoredFinding => ({ ...anchored(), side: undefined, reason: 'line-not-in-diff' }) as unknown as UnanchoredFinding;

const result = (overrides: Partial<ReviewResult> = {}): ReviewResult => ({
  headSha: '0123456789abcdef0123456789abcdef01234567',
  summary: `${HOSTILE}\n\n- ${HOSTILE}\n\n> ${HOSTILE}`,
  checklist: [{ item: HOSTILE, status: 'concern', note: HOSTILE }],
  inline: [anchored()],
  overflow: [anchored({ line: 4, side: 'LEFT' })],
  unanchored: [unanchored()],
  belowThreshold: 0,
  invalidFindings: 0,
  reviewedFiles: ['src/a.ts'],
  skipped: [],
  agent: { name: HOSTILE, source: 'builtin:backend' },
  model: 'claude-test',
  ...overrides,
});

describe('hostile model text in every rendered body', () => {
  it('the review body: summary, checklist, unanchored and overflow findings, footer', () => {
    const review = renderReview(result(), { fingerprints: () => 'fp' });
    expect(review.body).toContain('click (`https://evil.example/a`)');
    expectInert(review.body);
  });

  it('an inline comment: title, explanation and options', () => {
    const { body } = renderInlineComment(anchored(), 'fp');
    expect(body).toContain('click (`https://evil.example/a`)');
    expectInert(body);
  });

  it('the check run: summary (checklist, agent) and text (findings without annotations)', () => {
    const output = renderCheckOutput(result(), 'neutral');
    expectInert(output.summary);
    expect(output.text).toBeDefined();
    expectInert(output.text ?? '');
  });

  it('a failure and a skipped check, whose messages may quote what the model or the PR said', () => {
    expectInert(renderFailureOutput({ stage: HOSTILE, service: 'anthropic', message: HOSTILE, retryHint: 'Comment `/review`.' }).summary);
    expectInert(renderSkippedOutput('x', HOSTILE).summary);
  });
});
