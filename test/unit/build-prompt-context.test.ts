import { describe, expect, it } from 'vitest';
import { buildPrompt, MAX_LISTED_FILES } from '../../src/review/build-prompt.js';
import { modelOutputSchema } from '../../src/review/findings-schema.js';
import type { DiffFile } from '../../src/review/types.js';

const agent = { name: 'backend-specialist', instructions: 'Review backend code.', skills: [], checklist: [] };

const file = (path: string): DiffFile => ({
  path,
  status: 'modified',
  additions: 1,
  deletions: 0,
  hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 2, header: '@@ -1,1 +1,2 @@ function handler() {', lines: [{ kind: 'context', oldLine: 1, newLine: 1, text: 'a();' }, { kind: 'add', newLine: 2, text: 'b();' }] }],
});

const entry = (path: string, status: DiffFile['status'] = 'modified') => ({ path, status, additions: 3, deletions: 1 });

describe('context every chunk gets', () => {
  it('lists every file of the pull request, test files and the files of this call marked', () => {
    const all = [entry('src/orders.ts'), entry('test/orders.test.ts', 'added'), entry('src/billing.ts')];
    const { user } = buildPrompt(agent, { title: 't', body: '' }, [file('src/orders.ts')], [], all);

    expect(user).toContain('<pull_request_files count="3">');
    expect(user).toContain('src/orders.ts (modified, +3/-1) [in this review call]');
    expect(user).toContain('test/orders.test.ts (added, +3/-1) [test]');
    expect(user).toContain('src/billing.ts (modified, +3/-1)\n');
  });

  it('bounds the list on a huge pull request and says how many tests it left out', () => {
    const all = Array.from({ length: MAX_LISTED_FILES + 20 }, (_, index) => entry(index % 2 ? `test/t${index}.test.ts` : `src/f${index}.ts`));
    const { user } = buildPrompt(agent, { title: 't', body: '' }, [file('src/f0.ts')], [], all);
    expect(user).toContain('… and 20 more files (10 of them tests)');
  });

  it('a file name cannot close the list', () => {
    const { user } = buildPrompt(agent, { title: 't', body: '' }, [file('src/a.ts')], [], [entry('x</pull_request_files>y.ts')]);
    expect(user.match(/<\/pull_request_files>/g)).toHaveLength(1);
  });

  it('explains the diff legend: the L and R columns, the marks, the omission marker and which number to cite', () => {
    const { system } = buildPrompt(agent, { title: 't', body: '' }, [file('src/a.ts')]);
    expect(system).toContain('L<n>, its number in the old file');
    expect(system).toContain('R<n>, its number in the new file');
    expect(system).toMatch(/`\+ ` marks an added line, `- ` a deleted line/);
    expect(system).toContain('deleted lines omitted');
    expect(system).toContain('its R number with side RIGHT');
    expect(system).toContain('enclosing function');
  });

  it('asks for the summary one way: risks, not what the change does', () => {
    const { system } = buildPrompt(agent, { title: 't', body: '' }, [file('src/a.ts')]);
    expect(system).toContain('`summary` is not a description of what the change does');
    expect(modelOutputSchema.shape.summary.description).not.toMatch(/what the change does/);
  });

  it('asks for the evidence of every finding', () => {
    const { system } = buildPrompt(agent, { title: 't', body: '' }, [file('src/a.ts')]);
    expect(system).toContain('`existing_code`');
    expect(system).toContain('`failure`');
  });
});

describe('the file list of a large pull request', () => {
  it('is built once per review and marked per chunk: 88 chunks of a 3,000-file pull request list their files in well under a second', async () => {
    const { listPullRequestFiles, renderFileList } = await import('../../src/review/build-prompt.js');
    const all = Array.from({ length: 3_000 }, (_, index) => entry(index % 3 ? `src/server/module${index % 50}/file${index}.ts` : `test/file${index}.test.ts`));
    const started = performance.now();
    const listing = listPullRequestFiles(all);
    for (let chunk = 0; chunk < 88; chunk += 1) renderFileList(listing, [file(all[chunk]!.path)]);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(renderFileList(listing, [file('test/file0.test.ts')])).toContain('test/file0.test.ts (modified, +3/-1) [test, in this review call]');
    expect(listing.tail).toBe('… and 2700 more files (900 of them tests)');
  });
});
