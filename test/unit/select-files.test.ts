import { describe, expect, it } from 'vitest';
import { BUILTIN_SKIP_PATTERNS, selectFiles, selectFilesInSlices } from '../../src/review/select-files.js';
import type { ChangedFile } from '../../src/review/types.js';

const PATCH = ['@@ -1,2 +1,2 @@', ' const a = 1;', '-const b = 2;', '+const b = 3;'].join('\n');

const file = (path: string, overrides: Partial<ChangedFile> = {}): ChangedFile => ({
  path,
  status: 'modified',
  additions: 1,
  deletions: 1,
  patch: PATCH,
  ...overrides,
});

const withoutPatch = (path: string, overrides: Partial<ChangedFile> = {}): ChangedFile => ({
  path,
  status: 'modified',
  additions: 0,
  deletions: 0,
  ...overrides,
});

const ALL = { include: ['**'], exclude: [] };

function reasonFor(changed: ChangedFile, options: Parameters<typeof selectFiles>[1] = ALL) {
  const { files, skipped } = selectFiles([changed], options);
  return files.length === 1 ? 'reviewed' : skipped[0]?.reason;
}

describe('selectFiles', () => {
  it('parses the patch of a reviewable file', () => {
    const { files, skipped } = selectFiles([file('src/app.ts')], ALL);

    expect(skipped).toEqual([]);
    expect(files[0]).toMatchObject({ path: 'src/app.ts', status: 'modified' });
    expect(files[0]?.hunks[0]?.lines.map((l) => l.kind)).toEqual(['context', 'del', 'add']);
  });

  it.each([
    ['src/orders/service.ts', 'reviewed'],
    ['.github/workflows/ci.yml', 'reviewed'],
    ['package-lock.json', 'lockfile'],
    ['services/api/package-lock.json', 'lockfile'],
    ['yarn.lock', 'lockfile'],
    ['apps/web/pnpm-lock.yaml', 'lockfile'],
    ['bun.lock', 'lockfile'],
    ['Cargo.lock', 'lockfile'],
    ['backend/Gemfile.lock', 'lockfile'],
    ['poetry.lock', 'lockfile'],
    ['uv.lock', 'lockfile'],
    ['go.sum', 'lockfile'],
    ['modules/payments/go.sum', 'lockfile'],
    ['composer.lock', 'lockfile'],
    ['flake.lock', 'lockfile'],
    ['go.mod', 'reviewed'],
    ['package.json', 'reviewed'],
    ['vendor/github.com/lib/pq/conn.go', 'vendored'],
    ['third_party/zlib/inflate.c', 'vendored'],
    ['third-party/lib.js', 'vendored'],
    ['node_modules/left-pad/index.js', 'vendored'],
    ['packages/api/node_modules/x/index.js', 'vendored'],
    ['.yarn/releases/yarn-4.1.0.cjs', 'vendored'],
    // A domain folder called "vendor" below the root is code (a marketplace's vendors), not vendored code.
    ['src/vendor/payout.ts', 'reviewed'],
    ['public/app.min.js', 'generated'],
    ['static/site.min.css', 'generated'],
    ['public/app.js.map', 'generated'],
    ['api/user/v1/user.pb.go', 'generated'],
    ['app/protos/user_pb2.py', 'generated'],
    ['app/protos/user_pb2_grpc.py', 'generated'],
    ['src/schema.generated.ts', 'generated'],
    ['lib/models/user.g.dart', 'generated'],
    ['src/components/__generated__/Query.graphql.ts', 'generated'],
    ['src/generated/prisma/index.d.ts', 'generated'],
    ['test/__snapshots__/api.test.ts.snap', 'generated'],
    ['dist/index.js', 'generated'],
    ['packages/core/dist/index.js', 'generated'],
    ['build/libs/app.jar.txt', 'generated'],
    ['internal/build/version.go', 'reviewed'],
  ])('%s → %s', (path, expected) => {
    expect(reasonFor(file(path))).toBe(expected);
  });

  it.each([
    ['a removed file', file('src/old.ts', { status: 'removed' }), 'removed'],
    ['a binary file (no patch)', withoutPatch('assets/logo.png', { additions: 0, deletions: 0 }), 'no-patch'],
    ['a file with an empty patch', file('src/empty.ts', { patch: '' }), 'no-patch'],
    ['a pure rename (no patch)', withoutPatch('src/b.ts', { status: 'renamed', previousPath: 'src/a.ts' }), 'no-patch'],
    ['a patch that does not parse', file('src/weird.ts', { patch: 'not a diff at all' }), 'unparseable-patch'],
  ])('skips %s', (_label, changed, expected) => {
    expect(reasonFor(changed)).toBe(expected);
  });

  it.each([
    ['removed beats no-patch and lockfile', withoutPatch('yarn.lock', { status: 'removed' }), 'removed'],
    ['no-patch beats config and lockfile', withoutPatch('docs/yarn.lock'), 'no-patch'],
    ['config beats lockfile', file('docs/yarn.lock'), 'excluded-by-config'],
    ['lockfile beats vendored', file('vendor/composer.lock'), 'lockfile'],
    ['vendored beats generated', file('vendor/lib/app.min.js'), 'vendored'],
    ['generated beats parse', file('dist/app.js', { patch: 'garbage' }), 'generated'],
  ])('checks in order: %s', (_label, changed, expected) => {
    expect(reasonFor(changed, { include: ['**'], exclude: ['docs/**'] })).toBe(expected);
  });

  it('applies include and exclude globs with picomatch, dot files included', () => {
    const options = { include: ['src/**', '.github/**'], exclude: ['**/*.test.ts'] };
    const { files, skipped } = selectFiles(
      [file('src/app.ts'), file('src/app.test.ts'), file('scripts/seed.ts'), file('.github/workflows/ci.yml')],
      options,
    );

    expect(files.map((f) => f.path)).toEqual(['src/app.ts', '.github/workflows/ci.yml']);
    expect(skipped).toEqual([
      { path: 'src/app.test.ts', reason: 'excluded-by-config' },
      { path: 'scripts/seed.ts', reason: 'excluded-by-config' },
    ]);
  });

  it('treats an empty include list as "every path"', () => {
    expect(reasonFor(file('src/app.ts'), { include: [], exclude: [] })).toBe('reviewed');
  });

  it('counts only reviewable files toward maxFiles, in the order given', () => {
    const { files, skipped } = selectFiles(
      [file('yarn.lock'), file('src/a.ts'), file('src/b.ts', { patch: 'garbage' }), file('src/c.ts'), file('src/d.ts')],
      { ...ALL, maxFiles: 2 },
    );

    expect(files.map((f) => f.path)).toEqual(['src/a.ts', 'src/c.ts']);
    expect(skipped).toEqual([
      { path: 'yarn.lock', reason: 'lockfile' },
      { path: 'src/b.ts', reason: 'unparseable-patch' },
      { path: 'src/d.ts', reason: 'over-file-limit' },
    ]);
  });

  it('lists every file exactly once, reviewed or skipped', () => {
    const input = [file('a.ts'), file('yarn.lock'), file('dist/x.js'), file('b.ts', { status: 'removed' })];
    const { files, skipped } = selectFiles(input, { ...ALL, maxFiles: 0 });

    expect([...files.map((f) => f.path), ...skipped.map((s) => s.path)].sort()).toEqual(input.map((f) => f.path).sort());
    expect(skipped.find((s) => s.path === 'a.ts')?.reason).toBe('over-file-limit');
  });

  it('keeps the built-in patterns as globs rooted in any folder or at the root, never absolute', () => {
    const all = Object.values(BUILTIN_SKIP_PATTERNS).flat();

    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((pattern) => pattern.startsWith('/'))).toEqual([]);
  });
});

describe('selectFilesInSlices', () => {
  const listing = (count: number): ChangedFile[] =>
    Array.from({ length: count }, (_, index) => {
      if (index % 7 === 3) return file(`vendor/lib${index}.js`);
      if (index % 11 === 5) return withoutPatch(`assets/image${index}.png`);
      if (index % 13 === 0) return file(`src/gone${index}.ts`, { status: 'removed' });
      return file(`src/module${index}.ts`);
    });

  it('gives what one selectFiles call gives, maxFiles counted across slices, pausing between slices', async () => {
    const files = listing(53);
    const options = { ...ALL, maxFiles: 17 };
    let pauses = 0;

    const sliced = await selectFilesInSlices(files, options, { sliceSize: 5, pause: async () => void (pauses += 1) });

    expect(sliced).toEqual(selectFiles(files, options));
    expect(sliced.files).toHaveLength(17);
    expect(pauses).toBe(10);
  });

  it('works without a file limit and with a slice larger than the listing', async () => {
    const files = listing(12);
    let pauses = 0;

    expect(await selectFilesInSlices(files, ALL, { sliceSize: 3, pause: async () => void (pauses += 1) })).toEqual(selectFiles(files, ALL));
    expect(await selectFilesInSlices(files, ALL, { sliceSize: 100, pause: async () => void (pauses += 1) })).toEqual(selectFiles(files, ALL));
    expect(pauses).toBe(3);
  });
});
