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

/**
 * FNV-1a, 64-bit, over the string's UTF-16 code units (two bytes each, little-endian). Hand-written rather than
 * node:crypto because src/review/ stays pure and runtime-free; a dedupe key needs stability and spread, not
 * cryptographic strength (http://www.isthe.com/chongo/tech/comp/fnv/).
 *
 * The 64-bit state is two 32-bit halves in plain numbers (BigInt made three heap numbers per byte): the prime is
 * 2^40 + 0x1b3, so `hash * prime` is `hash * 0x1b3` plus the low half shifted into the high one by 8 bits, and
 * every intermediate stays below 2^53.
 */
function fnv1a64(text: string): string {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    for (let shift = 0; shift <= 8; shift += 8) {
      const mixed = (low ^ ((unit >> shift) & 0xff)) >>> 0;
      const product = mixed * FNV_PRIME_LOW;
      high = (high * FNV_PRIME_LOW + Math.floor(product / 0x1_0000_0000) + ((mixed << 8) >>> 0)) >>> 0;
      low = product >>> 0;
    }
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** The FNV prime's low part: 0x100000001b3 = 2^40 + 0x1b3. */
const FNV_PRIME_LOW = 0x1b3;
