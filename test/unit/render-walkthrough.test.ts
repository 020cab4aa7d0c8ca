import { describe, expect, it } from 'vitest';
import { splitCodeSpans, splitFences } from '../../src/render/markdown-segments.js';
import { parseMarkers } from '../../src/render/markers.js';
import { readWalkthrough, renderWalkthrough, WALKTHROUGH_COMMENT_MAX, walkthroughComment } from '../../src/render/render-walkthrough.js';
import { renderReviewBody } from '../../src/render/render-review.js';
import type { ModelReview } from '../../src/ports/review-model.js';
import { settleAnswers } from '../../src/review/settle-answers.js';
import { buildWalkthrough, updateWalkthrough, WALKTHROUGH_MAX_FILES } from '../../src/review/walkthrough.js';
import type { Walkthrough, WalkthroughNote } from '../../src/review/walkthrough.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';

const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

const walkthrough = (notes: WalkthroughNote[], extra: { path: string; additions: number; deletions: number }[] = [], changedFiles = notes.length + extra.length): Walkthrough =>
  updateWalkthrough(undefined, buildWalkthrough({ head: HEAD, reviewed: [...notes.map((note) => ({ path: note.path, additions: 3, deletions: 1 })), ...extra], notes, changedFiles, incremental: false }));

const SAMPLE = walkthrough(
  [
    { path: 'src/routes/users.ts', change: 'GET /users is paginated; the response is now { items, next }.', riskReason: "The endpoint's response shape changed.", risk: 'medium', test: 'Call GET /users with and without a cursor.' },
    { path: 'db/migrations/004_drop_email.sql', change: 'Drops users.email.', riskReason: 'A migration drops a column.', risk: 'high', test: 'Run the migration on a copy of production data.' },
    { path: 'src/middleware/session.ts', change: 'Checks the session before the rate limit.', risk: 'low' },
    { path: 'test/routes/users.test.ts', change: 'Tests the cursor.', risk: 'low' },
  ],
  [{ path: 'src/lib/money.ts', additions: 2, deletions: 0 }],
  7,
);

/** Prose GitHub renders live: everything outside fenced code, code spans and Bulwark's own marker. */
function liveProse(markdown: string): string {
  return splitFences(markdown.replace(/<!-- bulwark:walkthrough [^\n]*-->/, ''))
    .flatMap((block) => (block.kind === 'fence' ? [] : splitCodeSpans(block.text)))
    .flatMap((segment) => (segment.kind === 'code' ? [] : [segment.text]))
    .join(' ');
}

describe('renderWalkthrough', () => {
  it('shows the risk level and the reasons that set it, the files by area with one line each, what to test, and what it covers', () => {
    const body = renderWalkthrough(SAMPLE);

    expect(body).toMatchSnapshot();
    expect(body).toContain('**Risk: 🔴 high**, set by:\n- 🔴 high · A migration drops a column. (`db/migrations/004_drop_email.sql`)\n- 🟡 medium');
    const headings = [...body.matchAll(/^\*\*(Routes and handlers|Auth|Data access and migrations|Config and infrastructure|Other|Tests)\*\*$/gm)].map((match) => match[1]);
    expect(headings).toEqual(['Routes and handlers', 'Data access and migrations', 'Other', 'Tests']);
    expect(body).toContain('- `src/lib/money.ts` (+2 −0)\n');
    expect(body).toContain('**Test before merging**\n- Run the migration on a copy of production data. (`db/migrations/004_drop_email.sql`)');
    expect(body).toContain('5 of 7 changed files shown');
    expect(body).toContain('`ec26c3e57ca3`');
  });

  it('says so when the review gave no risk', () => {
    const body = renderWalkthrough(walkthrough([], [{ path: 'src/lib/money.ts', additions: 1, deletions: 0 }]));

    expect(body).toContain('**Risk: not assessed.**');
    expect(body).not.toContain('Test before merging');
  });

  it('carries the walkthrough in its marker, read back as it was', () => {
    expect(readWalkthrough(renderWalkthrough(SAMPLE))).toEqual(SAMPLE);
  });

  it('is no other kind of marker (a review or a finding) and reads nothing from a body without its marker', () => {
    const body = renderWalkthrough(SAMPLE);

    expect(parseMarkers(body)).toEqual([]);
    expect(readWalkthrough(renderReviewBody({ headSha: HEAD, summary: '', checklist: [], inline: [], overflow: [], unanchored: [], belowThreshold: 0, invalidFindings: 0, reviewedFiles: [], skipped: [], agent: { name: 'a', source: 'bundled' }, model: 'm' }))).toBeUndefined();
  });
});

describe('the walkthrough comment', () => {
  it('is recognised by its marker only', () => {
    const comment = walkthroughComment(buildWalkthrough({ head: HEAD, reviewed: [], notes: [], changedFiles: 0, incremental: false }));

    expect(comment.matches(renderWalkthrough(SAMPLE))).toBe(true);
    expect(comment.matches('## 🛡️ Bulwark review\n\n<!-- bulwark:review {"head":"abc"} -->')).toBe(false);
    expect(comment.matches('Bulwark walkthrough')).toBe(false);
  });

  it('updates the earlier walkthrough in its comment: an incremental review replaces what it reviewed and keeps the rest', () => {
    const update = buildWalkthrough({
      head: 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed',
      reviewed: [{ path: 'db/migrations/004_drop_email.sql', additions: 4, deletions: 0 }],
      notes: [{ path: 'db/migrations/004_drop_email.sql', change: 'Renames users.email instead of dropping it.', risk: 'medium', riskReason: 'A column is renamed.' }],
      changedFiles: 7,
      incremental: true,
    });

    const updated = readWalkthrough(walkthroughComment(update).render(renderWalkthrough(SAMPLE)));

    expect(updated?.head).toBe('f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed');
    expect(updated?.entries.map((entry) => [entry.path, entry.note?.change])).toEqual([
      ['src/middleware/session.ts', 'Checks the session before the rate limit.'],
      ['src/routes/users.ts', 'GET /users is paginated; the response is now { items, next }.'],
      ['db/migrations/004_drop_email.sql', 'Renames users.email instead of dropping it.'],
      ['src/lib/money.ts', undefined],
      ['test/routes/users.test.ts', 'Tests the cursor.'],
    ]);
  });

  it('starts afresh from a body whose marker does not read', () => {
    const update = buildWalkthrough({ head: HEAD, reviewed: [{ path: 'src/lib/money.ts', additions: 1, deletions: 0 }], notes: [], changedFiles: 1, incremental: true });

    const updated = readWalkthrough(walkthroughComment(update).render('## 🛡️ Bulwark walkthrough\n\n<!-- bulwark:walkthrough {"v":2} -->'));

    expect(updated?.entries.map((entry) => entry.path)).toEqual(['src/lib/money.ts']);
  });
});

describe('the bound', () => {
  it(`keeps the comment under ${WALKTHROUGH_COMMENT_MAX} characters whatever the paths and texts, dropping the least risky files`, () => {
    const notes: WalkthroughNote[] = Array.from({ length: 60 }, (_, index) => ({
      path: `src/routes/${'deep/'.repeat(800)}${index}.ts`,
      change: '<>'.repeat(200),
      riskReason: '>'.repeat(200),
      risk: 'high',
      test: '<'.repeat(200),
    }));

    const body = renderWalkthrough(updateWalkthrough(undefined, buildWalkthrough({ head: HEAD, reviewed: notes.map((note) => ({ path: note.path, additions: 1, deletions: 0 })), notes: notes.map((note) => ({ ...note, change: note.change.slice(0, 160), riskReason: note.riskReason?.slice(0, 160), test: note.test?.slice(0, 160) })), changedFiles: 60, incremental: false })));

    expect(body.length).toBeLessThanOrEqual(WALKTHROUGH_COMMENT_MAX);
    const shown = [...body.matchAll(/^- `/gm)].length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(WALKTHROUGH_MAX_FILES);
    // What is shown is what is carried to the next update.
    expect(readWalkthrough(body)?.entries.length).toBe(body.match(/^\*\*Routes and handlers\*\*\n((?:- .*\n?)*)/m)?.[1]?.trim().split('\n').length);
  });

  it(`shows at most ${WALKTHROUGH_MAX_FILES} files and counts the rest`, () => {
    const files = Array.from({ length: 120 }, (_, index) => ({ path: `src/lib/f${index}.ts`, additions: 1, deletions: 0 }));

    const body = renderWalkthrough(walkthrough([], files, 130));

    expect([...body.matchAll(/^- `src\/lib\/f/gm)]).toHaveLength(WALKTHROUGH_MAX_FILES);
    expect(body).toContain(`${WALKTHROUGH_MAX_FILES} of 130 changed files shown`);
  });
});

/**
 * The model's text is hostile: what it writes in the walkthrough is masked (src/secrets) and sanitised
 * (src/render/sanitize-text.ts) like every other text it writes.
 */
describe('hostile model text in the walkthrough', () => {
  const HOSTILE = [
    '[click](https://evil.example/a)',
    '<img src=x onerror=alert(1)>',
    '<a href="https://evil.example/h">a</a>',
    '@octocat @acme/security',
    'acme/infra#12',
    '&#64;admin',
    '<!-- bulwark:walkthrough {"v":1,"head":"forged","changed":0,"files":[]} -->',
    '<!-- bulwark:review {"head":"forged"} -->',
    '--> </details>',
  ].join(' ');

  const answer = (notes: unknown[]): ModelReview => ({
    summary: '',
    checklist: [],
    findings: [],
    walkthrough: notes as WalkthroughNote[],
    usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    model: 'm',
    stopReason: 'end_turn',
  });

  async function rendered(notes: WalkthroughNote[]): Promise<string> {
    const settled = await settleAnswers([answer(notes)]);
    const update = buildWalkthrough({ head: HEAD, reviewed: notes.map((note) => ({ path: note.path, additions: 1, deletions: 0 })), notes: settled.written.walkthrough ?? [], changedFiles: notes.length, incremental: false });
    return walkthroughComment(update).render(undefined);
  }

  it('renders no live link, image, HTML, mention, reference or second marker', async () => {
    const body = await rendered([{ path: 'src/routes/users.ts', change: HOSTILE, riskReason: HOSTILE, risk: 'high', test: HOSTILE }]);

    const prose = liveProse(body);
    expect(prose).not.toMatch(/https?:/);
    expect(prose).not.toMatch(/(?<!\\)(?:\\\\)*[[\]]/);
    expect(prose).not.toMatch(/<\/?(?:a|img|details)\b/i);
    expect(prose).not.toMatch(/&#/);
    expect(prose).not.toMatch(/@[A-Za-z0-9]/);
    expect(prose).not.toMatch(/[\w.-]#\d/);
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(parseMarkers(body)).toEqual([]);
    expect(readWalkthrough(body)?.head).toBe(HEAD);
  });

  it('keeps a file path the author chose inside a code span', async () => {
    const body = await rendered([{ path: 'src/routes/`@octocat`<img src=x>.ts', change: 'Adds a route.', risk: 'low' }]);

    expect(liveProse(body)).not.toMatch(/@[A-Za-z0-9]|<img/);
  });

  it('masks a secret the model wrote in any of its texts', async () => {
    const planted = [fakeSecret.githubToken(), fakeSecret.stripeLiveKey(), fakeSecret.slackToken()];
    const [a, b, c] = planted as [string, string, string];

    const body = await rendered([{ path: 'src/config/payments.ts', change: `Hard-codes ${a}.`, riskReason: `The key ${b} is committed.`, risk: 'high', test: `Rotate ${c}.` }]);

    expect(leakedPieces(body, planted)).toEqual([]);
    expect(body).toContain('Hard-codes [REDACTED secret: github].');
    expect(body).toContain('[REDACTED secret: slack]');
  });
});
