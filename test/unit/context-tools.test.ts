import { beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY_TOOLS } from '../../src/agents/types.js';
import { loadSnapshot } from '../../src/context/snapshot.js';
import type { Snapshot } from '../../src/context/snapshot.js';
import { checkPath, createToolExecutor, executeTool, hasNestedQuantifier, TOOL_LIMITS, toolDefinitions } from '../../src/context/tools.js';
import { buildTarball, hostileEntries, TOP } from './context-fixtures.js';

let snapshot: Snapshot;

beforeAll(async () => {
  snapshot = await loadSnapshot(await buildTarball(hostileEntries()));
});

const run = (name: string, input: unknown) => executeTool(snapshot, name, input);


describe('toolDefinitions', () => {
  it('defines only the tools the agent honours, in a stable order', () => {
    expect(toolDefinitions(['Glob', 'Read']).map((tool) => tool.name)).toEqual(['Read', 'Glob']);
    expect(toolDefinitions([...READ_ONLY_TOOLS]).map((tool) => tool.name)).toEqual(['Read', 'Grep', 'Glob']);
    expect(toolDefinitions(['Bash', 'Edit'])).toEqual([]);
  });

  it('gives each tool an object input schema with its required fields', () => {
    for (const tool of toolDefinitions([...READ_ONLY_TOOLS])) {
      expect(tool.input_schema.type).toBe('object');
      expect(tool.description.length).toBeGreaterThan(40);
      for (const field of tool.input_schema.required) expect(tool.input_schema.properties).toHaveProperty(field);
    }
  });

  it('refuses tools the agent does not honour through the executor', async () => {
    const execute = createToolExecutor(snapshot, ['Read']);

    expect(await execute('Grep', { pattern: 'a' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('Unknown tool "Grep"') });
    expect((await execute('Read', { path: 'README.md' })).isError).toBe(false);
  });
});

describe('Read', () => {
  it('returns numbered lines', async () => {
    const result = await run('Read', { path: 'src/a.ts' });

    expect(result).toEqual({ isError: false, masked: 0, content: '1\texport const a = 1;\n2\texport function handler() {\n3\t  return db.query("SELECT 1");\n4\t}' });
  });

  it('honours offset and limit and says how to continue', async () => {
    const result = await run('Read', { path: 'src/a.ts', offset: 2, limit: 2 });

    expect(result.content).toBe('2\texport function handler() {\n3\t  return db.query("SELECT 1");\n[lines 2-3 of 4; call Read with offset 4 to continue]');
  });

  it('reads 400 lines by default and at most 2,000', async () => {
    const long = { files: new Map([['long.txt', { size: 0, binary: false, text: Array.from({ length: 3_000 }, (_, i) => `l${i + 1}`).join('\n') }]]), truncated: false, refused: [] };

    expect((await executeTool(long, 'Read', { path: 'long.txt' })).content).toMatch(/\[lines 1-400 of 3000; call Read with offset 401 to continue\]$/);
    expect(await executeTool(long, 'Read', { path: 'long.txt', limit: 2_001 })).toMatchObject({ isError: true, masked: 0, content: expect.stringContaining('limit') });
  });

  it.each([
    ['../evil.txt'],
    ['../../etc/passwd'],
    ['/etc/passwd'],
    ['/etc/x'],
    ['a/../../x'],
    ['src/../../evil.txt'],
    ['src/a.ts\0'],
    ['~/.ssh/id_rsa'],
    ['C:\\Windows\\win.ini'],
  ])('rejects %j with an error result', async (path) => {
    const result = await run('Read', { path });

    expect(result.isError).toBe(true);
    expect(result.content).not.toMatch(/evil (outside|escape|absolute|stray)/);
    expect(result.content).not.toContain('root:');
  });

  it('says a refused symbolic link is one, and does not follow it', async () => {
    expect(await run('Read', { path: 'link' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('link is not readable: symbolic link') });
    expect(await run('Read', { path: 'linkdir/passwd' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('goes through linkdir') });
    expect(await run('Read', { path: 'hard' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('hard link') });
  });

  it('does not read binary files as text', async () => {
    expect(await run('Read', { path: 'assets/logo.png' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('binary file') });
  });

  it('says when a file is too large to read', async () => {
    const big = { files: new Map([['big.sql', { size: 5_000_000, binary: false }]]), truncated: false, refused: [] };

    expect(await executeTool(big, 'Read', { path: 'big.sql' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('too large') });
  });

  it('points to folders and to files of the same name', async () => {
    expect((await run('Read', { path: 'src/db' })).content).toContain('is a folder');
    expect((await run('Read', { path: 'users.ts' })).content).toContain('src/db/users.ts');
    expect((await run('Read', { path: './src//a.ts' })).isError).toBe(false);
  });

  it('reports bad input instead of throwing', async () => {
    expect(await run('Read', {})).toEqual({ isError: true, masked: 0, content: expect.stringContaining('Invalid input for Read: path') });
    expect((await run('Read', 'src/a.ts')).isError).toBe(true);
    expect((await run('Read', { path: 'src/a.ts', offset: 0 })).isError).toBe(true);
    expect(await run('Read', { path: 'src/a.ts', offset: 99 })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('past the end') });
    expect(await run('Nope', {})).toEqual({ isError: true, masked: 0, content: expect.stringContaining('Unknown tool') });
  });
});

describe('Grep', () => {
  it('returns path:line: text for matching lines', async () => {
    expect(await run('Grep', { pattern: 'SELECT' })).toEqual({
      isError: false,
      masked: 0,
      content: 'src/a.ts:3:   return db.query("SELECT 1");\nsrc/db/users.ts:2: export const findUser = (id) => pool.query(`SELECT * FROM users WHERE id = ${id}`);\n[1 binary or oversized file(s) not searched]',
    });
  });

  it('narrows by folder and by glob, and can ignore case', async () => {
    expect((await run('Grep', { pattern: 'select', path: 'src/db', ignore_case: true })).content).toBe(
      'src/db/users.ts:2: export const findUser = (id) => pool.query(`SELECT * FROM users WHERE id = ${id}`);',
    );
    expect((await run('Grep', { pattern: 'on', glob: '*.yml' })).content).toBe('.github/workflows/ci.yml:1: on: push');
    expect((await run('Grep', { pattern: 'zzz_nothing', path: 'src' })).content).toBe('No matches in 2 file(s) under src.');
  });

  it('never searches outside content or follows links', async () => {
    for (const pattern of ['evil', 'root:', 'passwd']) {
      const result = await run('Grep', { pattern });
      expect(result.content).not.toMatch(/evil (outside|escape|absolute|stray)/);
      expect(result.content.startsWith('No matches')).toBe(true);
    }
    expect((await run('Grep', { pattern: 'x', path: '../' })).isError).toBe(true);
    expect((await run('Grep', { pattern: 'x', path: '/etc' })).isError).toBe(true);
    expect(await run('Grep', { pattern: 'x', path: 'linkdir' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('symbolic link') });
  });

  it('rejects invalid, overlong and exponential patterns', async () => {
    expect((await run('Grep', { pattern: '(unclosed' }))).toEqual({ isError: true, masked: 0, content: expect.stringContaining('Invalid regular expression') });
    expect((await run('Grep', { pattern: 'a'.repeat(501) })).isError).toBe(true);
    expect(await run('Grep', { pattern: '(a+)+$' })).toEqual({ isError: true, masked: 0, content: expect.stringContaining('exponential') });
  });

  it('caps the matches at 200', async () => {
    const many = { files: new Map([['m.txt', { size: 0, binary: false, text: 'hit\n'.repeat(500) }]]), truncated: false, refused: [] };
    const lines = (await executeTool(many, 'Grep', { pattern: 'hit' })).content.split('\n');

    expect(lines.filter((line) => line.startsWith('m.txt:'))).toHaveLength(TOOL_LIMITS.grepMaxMatches);
    expect(lines.at(-1)).toContain('more than 200 matches');
  });

  it('stops when the time budget is spent (checked between files)', async () => {
    const files = new Map(Array.from({ length: 5 }, (_, i) => [`f${i}.txt`, { size: 1, binary: false, text: 'hit' }] as const));
    let clock = 0;
    const result = await executeTool({ files, truncated: false, refused: [] }, 'Grep', { pattern: 'hit' }, { now: () => (clock += 100), grepTimeBudgetMs: 250 });

    expect(result.content.split('\n').filter((line) => line.endsWith(': hit')).length).toBeLessThan(5);
    expect(result.content).toContain('time budget');
  });

  it('runs the regex on the first 1,000 characters of a line only', async () => {
    const wide = { files: new Map([['min.js', { size: 0, binary: false, text: `${'a'.repeat(2_000)}NEEDLE` }]]), truncated: false, refused: [] };

    expect((await executeTool(wide, 'Grep', { pattern: 'NEEDLE' })).content).toBe('No matches in 1 file(s).');
  });
});

describe('hasNestedQuantifier', () => {
  it.each([['(a+)+'], ['(a*)*b'], ['(\\w+\\s?)*$'], ['((ab)+c)+'], ['(x+){2,}'], ['(?:a|b+)+']])('flags %s', (pattern) => {
    expect(hasNestedQuantifier(pattern)).toBe(true);
  });
  it.each([['(foo|bar)+'], ['\\(a+\\)+'], ['[(a+)]+'], ['a+b*c?'], ['(ab){2}'], ['(a+)?'], ['SELECT .* FROM']])('allows %s', (pattern) => {
    expect(hasNestedQuantifier(pattern)).toBe(false);
  });
});

describe('Glob', () => {
  it('returns sorted matching paths, dotfiles included', async () => {
    expect((await run('Glob', { pattern: '**/*.ts' })).content).toBe('src/a.ts\nsrc/db/users.ts');
    expect((await run('Glob', { pattern: '**/*.yml' })).content).toBe('.github/workflows/ci.yml');
    expect((await run('Glob', { pattern: '*.md' })).content).toBe('README.md');
  });

  it('never lists refused or outside entries', async () => {
    const all = (await run('Glob', { pattern: '**' })).content.split('\n');

    expect(all).toEqual(['.github/workflows/ci.yml', 'README.md', 'assets/logo.png', 'src/a.ts', 'src/db/users.ts']);
    expect((await run('Glob', { pattern: '../*' })).isError).toBe(true);
    expect((await run('Glob', { pattern: '/etc/*' })).isError).toBe(true);
    expect((await run('Glob', { pattern: '**/evil.txt' })).content).toBe('No files match **/evil.txt.');
  });

  it('caps the list at 500 with a note', async () => {
    const files = new Map(Array.from({ length: 600 }, (_, i) => [`f${String(i).padStart(3, '0')}.ts`, { size: 1, binary: false, text: '' }] as const));
    const lines = (await executeTool({ files, truncated: false, refused: [] }, 'Glob', { pattern: '*.ts' })).content.split('\n');

    expect(lines).toHaveLength(501);
    expect(lines.at(-1)).toBe('[100 more paths not shown; narrow the pattern]');
  });

  it('says when the snapshot is incomplete', async () => {
    const partial = { files: new Map([['a.ts', { size: 1, binary: false, text: 'a' }]]), truncated: true, refused: [] };

    expect((await executeTool(partial, 'Glob', { pattern: '*.ts' })).content).toContain('snapshot is incomplete');
  });
});

describe('output truncation', () => {
  it('cuts output over the cap and says so', async () => {
    const text = Array.from({ length: 2_000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`).join('\n');
    const big = { files: new Map([['big.txt', { size: text.length, binary: false, text }]]), truncated: false, refused: [] };
    const result = await executeTool(big, 'Read', { path: 'big.txt', limit: 2_000 });

    expect(result.isError).toBe(false);
    expect(result.content.length).toBeLessThanOrEqual(TOOL_LIMITS.maxOutputChars + 200);
    expect(result.content).toMatch(/\[output truncated at 20000 characters; [^\]]+\]$/);
  });

  it('honours a smaller cap', async () => {
    expect((await executeTool(snapshot, 'Glob', { pattern: '**' }, { maxOutputChars: 30 })).content).toContain('[output truncated at 30 characters');
  });
});

describe('checkPath', () => {
  it('normalises harmless spellings and refuses escapes', () => {
    expect(checkPath('./src//a.ts/')).toEqual({ ok: true, path: 'src/a.ts' });
    expect(checkPath('.')).toEqual({ ok: true, path: '' });
    expect(checkPath('a/../b').ok).toBe(false);
    expect(checkPath(`/${TOP}/src/a.ts`).ok).toBe(false);
  });
});
