import { describe, expect, it } from 'vitest';
import { parseMarkers } from '../../src/render/markers.js';
import { REVIEW_BODY_MAX, renderReview } from '../../src/render/render-review.js';
import type { AnchoredFinding, ReviewResult, UnanchoredFinding } from '../../src/review/types.js';
import { buildAnchored } from '../helpers/build-finding.js';

function anchored(overrides: Partial<AnchoredFinding> = {}): AnchoredFinding {
  return buildAnchored({
    path: 'src/orders/repository.ts',
    line: 10,
    side: 'RIGHT',
    severity: 'medium',
    category: 'reliability',
    title: 'Query without a timeout',
    body: 'The query can hang the request handler.',
    ...overrides,
  });
}

function unanchored(overrides: Partial<UnanchoredFinding> = {}): UnanchoredFinding {
  return {
    path: 'src/orders/service.ts',
    line: 120,
    severity: 'high',
    category: 'data-integrity',
    title: 'Write outside the transaction',
    body: 'The audit row is written after the commit, so a crash loses it.',
    reason: 'line-not-in-diff',
    ...overrides,
  };
}

function result(overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    headSha: '0123456789abcdef0123456789abcdef01234567',
    summary: 'Adds an order repository with retries.',
    checklist: [],
    inline: [],
    overflow: [],
    unanchored: [],
    belowThreshold: 0,
    invalidFindings: 0,
    reviewedFiles: ['src/orders/repository.ts', 'src/orders/service.ts'],
    skipped: [],
    agent: { name: 'backend', source: 'builtin:backend' },
    model: 'claude-test',
    ...overrides,
  };
}

const fingerprintOf = (finding: AnchoredFinding) => `fp:${finding.path}:${finding.line}`;

describe('renderReview', () => {
  it('renders the body of a review with every section', () => {
    const inline = anchored({ severity: 'critical', category: 'security', rule: 'SEC-SQL-1', title: 'SQL built by concatenation' });
    const review = renderReview(
      result({
        summary: 'Adds order lookup by customer. The main risk is an injectable query.',
        checklist: [
          { item: 'Input validation', status: 'concern', note: 'customerId is not validated' },
          { item: 'Timeouts', status: 'ok', note: '' },
          { item: 'Migrations', status: 'not-applicable', note: 'no schema change' },
        ],
        inline: [inline],
        overflow: [anchored({ line: 30, severity: 'low', category: 'maintainability', title: 'Magic number for page size' })],
        unanchored: [unanchored()],
        belowThreshold: 2,
        invalidFindings: 1,
        skipped: [{ path: 'package-lock.json', reason: 'lockfile' }],
      }),
      { fingerprints: new Map([[inline, 'fp-inline']]), runId: 'run-1' },
    );
    expect(review.body).toMatchInlineSnapshot(`
      "## 🛡️ Bulwark review

      Adds order lookup by customer. The main risk is an injectable query.

      **3 findings** (1 critical, 1 high, 1 low): 1 inline comment, 1 over the inline comment limit, 1 not on a changed line.  
      2 findings below the configured minimum severity were not posted.  
      1 finding from the model was dropped because it did not match the expected format.

      ### Checklist

      | Item | Status | Note |
      |---|:---:|---|
      | Input validation | ⚠️ | customerId is not validated |
      | Timeouts | ✅ |  |
      | Migrations | ➖ | no schema change |

      ### Findings not on a changed line

      These findings could not be attached to a line of this diff, so they are listed here instead of as inline comments.

      #### 🟠 high · data-integrity — Write outside the transaction

      \`src/orders/service.ts:120\` · the line is not part of this diff

      The audit row is written after the commit, so a crash loses it.

      ### More findings

      These findings are on changed lines, but over the limit of inline comments per review.

      - 🔵 low · maintainability · \`src/orders/repository.ts:30\` — Magic number for page size

      1 file was not reviewed (lock files, generated or excluded files, or over the size budget); the **Bulwark** check run lists them.

      <sub>Bulwark · agent backend · model \`claude-test\` · 2 files reviewed</sub>

      <!-- bulwark:review {"head":"0123456789abcdef0123456789abcdef01234567","run":"run-1"} -->"
    `);
  });

  it('always comments, on the reviewed head sha, with one comment per inline finding', () => {
    const first = anchored();
    const second = anchored({ line: 20, startLine: 18 });
    const review = renderReview(result({ inline: [first, second] }), { fingerprints: fingerprintOf });
    expect(review.event).toBe('COMMENT');
    expect(review.commit_id).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(review.comments.map((comment) => [comment.line, comment.start_line])).toEqual([[10, undefined], [20, 18]]);
    expect(parseMarkers(review.comments[1]?.body ?? '')).toEqual([{ kind: 'finding', data: { fp: 'fp:src/orders/repository.ts:20' } }]);
  });

  it('throws when the fingerprint map misses an inline finding', () => {
    expect(() => renderReview(result({ inline: [anchored()] }), { fingerprints: new Map() })).toThrow(/fingerprint/);
  });

  it('carries exactly one review marker, with the head sha, even if the model forges one', () => {
    const review = renderReview(result({ summary: 'Done. <!-- bulwark:review {"head":"forged"} -->', unanchored: [unanchored({ body: '<!-- bulwark:review {"head":"x"} -->' })] }), {
      fingerprints: fingerprintOf,
      runId: '77',
    });
    expect(parseMarkers(review.body)).toEqual([{ kind: 'review', data: { head: '0123456789abcdef0123456789abcdef01234567', run: '77' } }]);
  });

  it('neutralises mentions and HTML in the summary', () => {
    const body = renderReview(result({ summary: '@security-team please look <img src=x>' }), { fingerprints: fingerprintOf }).body;
    expect(body).toContain('@\u200Dsecurity-team');
    expect(body).not.toContain('<img');
  });

  it('says so when there are no findings', () => {
    const body = renderReview(result(), { fingerprints: fingerprintOf }).body;
    expect(body).toContain('No issues found');
    expect(body).not.toContain('Findings not on a changed line');
  });

  it('flags a partial review', () => {
    const body = renderReview(result(), { fingerprints: fingerprintOf, partial: true, checkName: 'Bulwark (staging)' }).body;
    expect(body).toContain('partial review');
    expect(body).toContain('**Bulwark (staging)** check run');
  });

  it('stays within GitHub’s body limit for a huge result, marker intact', () => {
    const long = 'This finding explains a problem at length. '.repeat(150);
    const review = renderReview(
      result({
        summary: 'Summary. '.repeat(3_000),
        unanchored: Array.from({ length: 500 }, (_, index) => unanchored({ line: index + 1, body: long, title: `Problem number ${index}` })),
        overflow: Array.from({ length: 300 }, (_, index) => anchored({ line: index + 1, title: `Overflow ${index}` })),
      }),
      { fingerprints: fingerprintOf },
    );
    expect(review.body.length).toBeLessThanOrEqual(REVIEW_BODY_MAX);
    expect(review.body.endsWith('<!-- bulwark:review {"head":"0123456789abcdef0123456789abcdef01234567"} -->')).toBe(true);
    expect(parseMarkers(review.body)).toHaveLength(1);
    expect(review.body).toContain('**800 findings**');
    // The first unanchored findings keep their explanations, the rest are listed by title…
    const explained = review.body.match(/^#### /gm)?.length ?? 0;
    expect(explained).toBeGreaterThan(0);
    expect(explained).toBeLessThan(500);
    expect(review.body).toContain('titles only');
    expect(review.body).toMatch(/- 🟠 high · data-integrity · `src\/orders\/service.ts:500` — Problem number 499\n/);
    // …while the overflow list, which gives way first, ends with a count of what it left out.
    expect(review.body).toMatch(/Overflow 0\n/);
    expect(review.body).toMatch(/… and \d+ more not shown here/);
  });

  it('lists titles only, then "… and N more", when not even every title fits', () => {
    const review = renderReview(
      result({ unanchored: Array.from({ length: 3_000 }, (_, index) => unanchored({ line: index + 1, title: `Problem number ${index} ${'x'.repeat(60)}` })) }),
      { fingerprints: fingerprintOf },
    );
    expect(review.body.length).toBeLessThanOrEqual(REVIEW_BODY_MAX);
    expect(review.body).not.toMatch(/^#### /m);
    expect(review.body).toContain('Problem number 0 ');
    const more = /… and (\d+) more not shown here/.exec(review.body);
    expect(Number(more?.[1])).toBeGreaterThan(0);
    expect(review.body).toContain(`Problem number ${2_999 - Number(more?.[1])} `);
    expect(review.body).not.toContain(`Problem number ${3_000 - Number(more?.[1])} `);
    expect(parseMarkers(review.body)).toEqual([{ kind: 'review', data: { head: '0123456789abcdef0123456789abcdef01234567' } }]);
  });

  it('shortens the overflow list before the unanchored explanations', () => {
    const review = renderReview(
      result({
        unanchored: [unanchored({ body: 'Keep this explanation.' })],
        overflow: Array.from({ length: 200 }, (_, index) => anchored({ line: index + 1, title: `Overflow ${index}` })),
      }),
      { fingerprints: fingerprintOf, maxLength: 4_000 },
    );
    expect(review.body.length).toBeLessThanOrEqual(4_000);
    expect(review.body).toContain('Keep this explanation.');
    expect(review.body).toContain('Overflow 0');
    expect(review.body).not.toContain('Overflow 199');
    const more = /… and (\d+) more not shown here/.exec(review.body);
    expect(Number(more?.[1])).toBeGreaterThan(0);
    expect(review.body).toContain(`Overflow ${199 - Number(more?.[1])}\n`);
  });
});

describe('findings below the inline severity', () => {
  it('are listed in the review body in a collapsed block, apart from those over the comment limit', () => {
    const { body, comments } = renderReview(
      result({ inline: [anchored({ line: 1 })], overflow: [anchored({ line: 2, title: 'Over the cap' }), anchored({ line: 3, severity: 'low', title: 'A latent risk', belowInline: true })] }),
      { fingerprints: () => 'fp' },
    );
    expect(comments).toHaveLength(1);
    expect(body).toContain('1 over the inline comment limit, 1 below the inline severity, listed below');
    expect(body).toMatch(/<details><summary>1 finding below the severity posted inline<\/summary>\n\n- .*A latent risk\n\n<\/details>/);
    expect(body.indexOf('Over the cap')).toBeLessThan(body.indexOf('<details>'));
  });
});
