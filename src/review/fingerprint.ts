import type { Finding } from './types.js';

/**
 * A short, stable key for "the same finding": same file, same code on its line, same rule (or category when the
 * model gave no rule) and same title. Line numbers are left out on purpose, so the key survives pushes that only
 * move the code. Returns 16 hex digits.
 */
export function fingerprint(finding: Finding, lineText: string | undefined): string {
  const parts = [
    finding.path.replace(/^(?:\.?\/)+/, ''),
    collapseWhitespace(lineText ?? ''),
    finding.rule?.trim() || finding.category,
    collapseWhitespace(finding.title).toLowerCase(),
  ];
  // NUL cannot occur in any part, so different splits of the same characters cannot collide.
  return fnv1a64(parts.join('\u0000'));
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const FNV_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * FNV-1a, 64-bit, over the string's UTF-16 code units (two bytes each, little-endian). Hand-written rather than
 * node:crypto because src/review/ stays pure and runtime-free; a dedupe key needs stability and spread, not
 * cryptographic strength (http://www.isthe.com/chongo/tech/comp/fnv/).
 */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    hash = ((hash ^ BigInt(unit & 0xff)) * FNV_PRIME) & MASK_64;
    hash = ((hash ^ BigInt(unit >> 8)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
