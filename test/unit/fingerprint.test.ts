import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/review/fingerprint.js';
import type { Finding } from '../../src/review/types.js';
import { buildFinding } from '../helpers/build-finding.js';

const finding = (overrides: Partial<Finding> = {}): Finding => buildFinding({
  path: 'src/orders/service.ts',
  line: 42,
  severity: 'high',
  category: 'reliability',
  title: 'Unawaited promise',
  body: 'The promise is never awaited.',
  ...overrides,
});

const CODE = '  void repo.save(order);';

describe('fingerprint', () => {
  it('is 16 hex digits and the same on every call', () => {
    const print = fingerprint(finding(), CODE);

    expect(print).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(finding(), CODE)).toBe(print);
  });

  it('matches the FNV-1a 64-bit reference value for the empty input parts', () => {
    // Four empty parts joined by three NULs, hashed as UTF-16LE: pins the algorithm so stored keys stay valid.
    const print = fingerprint(finding({ path: '', category: 'reliability', rule: '', title: '' }), '');

    expect(print).toBe(fnv1a64Reference('\u0000\u0000reliability\u0000'));
  });

  it.each([
    ['the line number', { line: 99, end_line: 120 }],
    ['the body', { body: 'Another explanation.' }],
    ['the severity', { severity: 'low' as const }],
    ['the suggestion', { suggestion: 'await repo.save(order);' }],
    ['the title case and spacing', { title: '  unawaited   PROMISE ' }],
    ['a leading ./ in the path', { path: './src/orders/service.ts' }],
  ])('ignores %s', (_label, overrides) => {
    expect(fingerprint(finding(overrides), CODE)).toBe(fingerprint(finding(), CODE));
  });

  it('ignores whitespace changes in the code', () => {
    expect(fingerprint(finding(), '\tvoid  repo.save(order);  ')).toBe(fingerprint(finding(), CODE));
  });

  it.each([
    ['the path', { path: 'src/orders/other.ts' }],
    ['the category', { category: 'performance' as const }],
    ['the rule', { rule: 'floating-promise' }],
    ['the title', { title: 'Unhandled rejection' }],
  ])('changes with %s', (_label, overrides) => {
    expect(fingerprint(finding(overrides), CODE)).not.toBe(fingerprint(finding(), CODE));
  });

  it('changes with the code of the line, and with its absence', () => {
    const print = fingerprint(finding(), CODE);

    expect(fingerprint(finding(), 'await repo.save(order);')).not.toBe(print);
    expect(fingerprint(finding(), undefined)).not.toBe(print);
  });

  it('uses the rule instead of the category when there is one', () => {
    const withRule = (category: Finding['category']) => fingerprint(finding({ rule: 'floating-promise', category }), CODE);

    expect(withRule('reliability')).toBe(withRule('performance'));
  });

  it('does not let parts run into each other', () => {
    expect(fingerprint(finding({ path: 'a', title: 'bc' }), undefined)).not.toBe(fingerprint(finding({ path: 'ab', title: 'c' }), undefined));
  });
});

/** Independent FNV-1a 64 over UTF-16LE bytes, written from the spec with a byte array. */
function fnv1a64Reference(text: string): string {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[i * 2] = text.charCodeAt(i) & 0xff;
    bytes[i * 2 + 1] = text.charCodeAt(i) >> 8;
  }
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}
