import { describe, expect, it } from 'vitest';
import { normalizeTools, splitToolList } from '../../src/agents/normalize-tools.js';

describe('normalizeTools', () => {
  it.each([
    ['absent: everything, so all three read-only tools', undefined, ['Read', 'Grep', 'Glob'], []],
    ['a comma-separated string', 'Read, Grep, Glob, Edit, Write, Bash', ['Read', 'Grep', 'Glob'], ['Edit', 'Write', 'Bash']],
    ['a list', ['Glob', 'Read', 'Bash'], ['Read', 'Glob'], ['Bash']],
    ['an empty list: no tools', [], [], []],
    ['lowercase names', 'read, grep', ['Read', 'Grep'], []],
    ['permission specifiers', 'Read(src/**), Bash(git diff:*)', ['Read'], ['Bash(git diff:*)']],
    ['an OpenCode map over a default of on', { write: true, bash: false, grep: false }, ['Read', 'Glob'], ['write']],
    ['a wildcard switching everything off, then one back on', { '*': false, grep: true }, ['Grep'], []],
    ['duplicates', 'Read, Read, Bash, Bash', ['Read'], ['Bash']],
  ])('%s', (_name, tools, honoured, ignored) => {
    expect(normalizeTools(tools)).toEqual({ honoured, ignored });
  });

  it('removes disallowed tools', () => {
    expect(normalizeTools('Read, Grep, Glob', ['Grep'])).toEqual({ honoured: ['Read', 'Glob'], ignored: [] });
  });
});

describe('splitToolList', () => {
  it('splits on commas and whitespace but not inside parentheses', () => {
    expect(splitToolList('Read,Grep  Glob, Bash(npm run test:*, git diff)')).toEqual(['Read', 'Grep', 'Glob', 'Bash(npm run test:*, git diff)']);
  });
});
