import { describe, expect, it } from 'vitest';
import { asRequested } from '../../src/review/as-requested.js';
import { defaultRepoConfig } from '../../src/config/repo-config.js';
import { buildWalkthrough, cutLine, entriesByArea, updateWalkthrough, WALKTHROUGH_LINE_MAX, WALKTHROUGH_MAX_FILES, WALKTHROUGH_MAX_REASONS, WALKTHROUGH_MAX_TESTS, walkthroughRisk } from '../../src/review/walkthrough.js';
import type { RiskLevel, Walkthrough, WalkthroughNote } from '../../src/review/walkthrough.js';
import { WALKTHROUGH_AREAS, walkthroughArea } from '../../src/review/walkthrough-area.js';
import { fixtureJob } from '../helpers/build-runner.js';

const file = (path: string, additions = 1, deletions = 0) => ({ path, additions, deletions });
const note = (path: string, risk: RiskLevel, extra: Partial<WalkthroughNote> = {}): WalkthroughNote => ({ path, change: `Changes ${path}.`, risk, ...extra });

describe('walkthroughArea', () => {
  it.each([
    ['src/routes/users.ts', 'routes'],
    ['internal/handlers/payment.go', 'routes'],
    ['src/middleware/auth-order.ts', 'routes'],
    ['src/auth/session.ts', 'auth'],
    ['src/lib/jwt.ts', 'auth'],
    ['db/migrations/004_drop_email.sql', 'data'],
    ['src/repositories/user-repository.ts', 'data'],
    ['prisma/schema.prisma', 'data'],
    ['deploy/k8s/api.yaml', 'config'],
    ['Dockerfile', 'config'],
    ['package.json', 'config'],
    ['src/lib/money.ts', 'other'],
    ['README', 'other'],
    // A test is a test whatever it tests, as the planner ranks it.
    ['test/routes/users.test.ts', 'tests'],
    ['src/auth/session.spec.ts', 'tests'],
  ])('puts %s under %s', (path, area) => {
    expect(walkthroughArea(path)).toBe(area);
  });

  it('orders the areas as the planner orders risk: routes, auth, data, config, other, tests last', () => {
    expect(WALKTHROUGH_AREAS).toEqual(['routes', 'auth', 'data', 'config', 'other', 'tests']);
  });
});

describe('entriesByArea', () => {
  it('groups the files by area in risk order, leaves empty areas out, and keeps the bigger change first within an area', () => {
    const update = buildWalkthrough({
      head: 'h1',
      reviewed: [file('test/users.test.ts', 40), file('src/lib/money.ts'), file('db/migrations/004.sql', 3), file('src/routes/small.ts', 1), file('src/routes/big.ts', 30)],
      notes: [],
      changedFiles: 5,
      incremental: false,
    });

    const groups = entriesByArea(updateWalkthrough(undefined, update));

    expect(groups.map((group) => [group.area, group.entries.map((entry) => entry.path)])).toEqual([
      ['routes', ['src/routes/big.ts', 'src/routes/small.ts']],
      ['data', ['db/migrations/004.sql']],
      ['other', ['src/lib/money.ts']],
      ['tests', ['test/users.test.ts']],
    ]);
  });
});

describe('buildWalkthrough', () => {
  it("gives each reviewed file the model's note about it, drops notes about files the run did not review, and keeps the first note of a path", () => {
    const update = buildWalkthrough({
      head: 'h1',
      reviewed: [file('src/routes/users.ts', 2, 1), file('src/lib/money.ts')],
      notes: [note('src/routes/users.ts', 'high', { riskReason: 'The response loses `email`.' }), note('src/routes/users.ts', 'low'), note('../../etc/passwd', 'high')],
      changedFiles: 3,
      incremental: false,
    });

    expect(update.entries).toEqual([
      { path: 'src/routes/users.ts', additions: 2, deletions: 1, note: { change: 'Changes src/routes/users.ts.', risk: 'high', riskReason: 'The response loses `email`.' } },
      { path: 'src/lib/money.ts', additions: 1, deletions: 0 },
    ]);
  });
});

describe('updateWalkthrough', () => {
  const earlier: Walkthrough = {
    head: 'h1',
    changedFiles: 3,
    entries: [
      { path: 'src/routes/users.ts', additions: 2, deletions: 1, note: { change: 'Old line for users.', risk: 'high', riskReason: 'Old reason.' } },
      { path: 'db/migrations/004.sql', additions: 5, deletions: 0, note: { change: 'Drops the email column.', risk: 'high' } },
      { path: 'src/lib/money.ts', additions: 1, deletions: 0, note: { change: 'Rounds amounts.', risk: 'low' } },
    ],
  };

  it('replaces the earlier walkthrough after a full review', () => {
    const update = buildWalkthrough({ head: 'h2', reviewed: [file('src/routes/users.ts')], notes: [note('src/routes/users.ts', 'low')], changedFiles: 1, incremental: false });

    const updated = updateWalkthrough(earlier, update);

    expect(updated).toEqual({ head: 'h2', changedFiles: 1, entries: [{ path: 'src/routes/users.ts', additions: 1, deletions: 0, note: { change: 'Changes src/routes/users.ts.', risk: 'low' } }] });
  });

  it('after an incremental review, replaces the files it reviewed (even with no note) and keeps the others', () => {
    const update = buildWalkthrough({ head: 'h2', reviewed: [file('src/routes/users.ts', 4, 2), file('src/lib/money.ts', 2)], notes: [note('src/routes/users.ts', 'medium')], changedFiles: 4, incremental: true });

    const updated = updateWalkthrough(earlier, update);

    expect(updated.head).toBe('h2');
    expect(updated.changedFiles).toBe(4);
    expect(updated.entries).toEqual([
      { path: 'src/routes/users.ts', additions: 4, deletions: 2, note: { change: 'Changes src/routes/users.ts.', risk: 'medium' } },
      { path: 'db/migrations/004.sql', additions: 5, deletions: 0, note: { change: 'Drops the email column.', risk: 'high' } },
      { path: 'src/lib/money.ts', additions: 2, deletions: 0 },
    ]);
  });

  it('starts afresh when an incremental review finds no earlier walkthrough', () => {
    const update = buildWalkthrough({ head: 'h2', reviewed: [file('src/lib/money.ts')], notes: [], changedFiles: 3, incremental: true });

    expect(updateWalkthrough(undefined, update).entries.map((entry) => entry.path)).toEqual(['src/lib/money.ts']);
  });

  it(`keeps at most ${WALKTHROUGH_MAX_FILES} files, the riskiest`, () => {
    const others = Array.from({ length: 60 }, (_, index) => file(`src/lib/util-${String(index).padStart(2, '0')}.ts`));
    const update = buildWalkthrough({ head: 'h1', reviewed: [...others, file('src/auth/login.ts')], notes: [], changedFiles: 61, incremental: false });

    const updated = updateWalkthrough(undefined, update);

    expect(updated.entries).toHaveLength(WALKTHROUGH_MAX_FILES);
    expect(updated.entries[0]?.path).toBe('src/auth/login.ts');
    expect(updated.changedFiles).toBe(61);
  });
});

describe('walkthroughRisk', () => {
  const walkthrough = (notes: WalkthroughNote[]): Walkthrough =>
    updateWalkthrough(undefined, buildWalkthrough({ head: 'h', reviewed: notes.map((entry) => file(entry.path)), notes, changedFiles: notes.length, incremental: false }));

  it("is the riskiest file's level, with the reasons of the riskiest files first", () => {
    const risk = walkthroughRisk(
      walkthrough([
        note('src/routes/users.ts', 'medium', { riskReason: 'The response shape changed.', test: 'Call GET /users/1 and compare the body.' }),
        note('db/migrations/004.sql', 'high', { riskReason: 'A migration drops a column.', test: 'Run the migration on a copy of production.' }),
        note('src/lib/money.ts', 'low'),
      ]),
    );

    expect(risk.level).toBe('high');
    expect(risk.reasons).toEqual([
      { path: 'db/migrations/004.sql', level: 'high', reason: 'A migration drops a column.' },
      { path: 'src/routes/users.ts', level: 'medium', reason: 'The response shape changed.' },
    ]);
    expect(risk.tests.map((test) => test.path)).toEqual(['db/migrations/004.sql', 'src/routes/users.ts']);
  });

  it('is not assessed when no file has a note', () => {
    expect(walkthroughRisk(walkthrough([]))).toEqual({ level: undefined, reasons: [], tests: [] });
  });

  it(`gives at most ${WALKTHROUGH_MAX_REASONS} reasons and ${WALKTHROUGH_MAX_TESTS} tests`, () => {
    const notes = Array.from({ length: 12 }, (_, index) => note(`src/routes/r${index}.ts`, 'high', { riskReason: `Reason ${index}.`, test: `Test ${index}.` }));

    const risk = walkthroughRisk(walkthrough(notes));

    expect(risk.reasons).toHaveLength(WALKTHROUGH_MAX_REASONS);
    expect(risk.tests).toHaveLength(WALKTHROUGH_MAX_TESTS);
  });
});

describe('cutLine', () => {
  it(`puts a text on one line of at most ${WALKTHROUGH_LINE_MAX} characters`, () => {
    expect(cutLine('  Adds\npagination\t to GET /users. ')).toBe('Adds pagination to GET /users.');
    const cut = cutLine('x'.repeat(1000));
    expect(cut).toHaveLength(WALKTHROUGH_LINE_MAX);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts a character in half', () => {
    const cut = cutLine(`${'a'.repeat(WALKTHROUGH_LINE_MAX - 2)}😀😀😀`);

    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(cut.length).toBeLessThanOrEqual(WALKTHROUGH_LINE_MAX);
  });
});

describe('asRequested', () => {
  it('makes `/review describe` a full review with the walkthrough on', () => {
    const input = { job: fixtureJob({ trigger: 'command', command: { kind: 'describe', commentId: 5 } }), config: defaultRepoConfig() };

    const requested = asRequested(input);

    expect(requested.job.full).toBe(true);
    expect(requested.config.review.walkthrough).toBe(true);
    expect(input.config.review.walkthrough).toBe(false);
  });

  it.each(['review', 'full'] as const)('leaves `/review %s` to the repository config', (kind) => {
    const input = { job: fixtureJob({ trigger: 'command', command: { kind, commentId: 5 } }), config: defaultRepoConfig() };

    expect(asRequested(input)).toBe(input);
  });
});
