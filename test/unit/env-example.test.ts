import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** Every variable named in the first column of the README's operator settings table. */
function documentedVariables(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('### Operator settings (environment)');
  const table = readme.slice(start, readme.indexOf('\n\n', readme.indexOf('| Variable', start)));
  const names = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] ?? ''));
  return [...new Set(names)];
}

describe('.env.example', () => {
  it('lists every variable the README documents, set or commented out', () => {
    const documented = documentedVariables();
    expect(documented.length).toBeGreaterThan(40);
    const example = read('.env.example');
    const missing = documented.filter((name) => !new RegExp(`^(?:# )?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});
