import type { AnchoredFinding, Finding } from '../../src/review/types.js';

/**
 * A validated finding, before anchoring, with plain defaults (`src/a.ts:1`, medium reliability). A test names
 * every field its assertions are about; the defaults only make the finding valid. The raw finding a model
 * returns, evidence included, is `finding()` in model-stand-in.ts.
 */
export function buildFinding(overrides: Partial<Finding> = {}): Finding {
  return { path: 'src/a.ts', line: 1, severity: 'medium', category: 'reliability', title: 'A title', body: 'A body.', ...overrides };
}

/** A finding anchored on the RIGHT side (the head) unless the overrides say otherwise. */
export function buildAnchored(overrides: Partial<AnchoredFinding> = {}): AnchoredFinding {
  return { ...buildFinding(overrides), side: 'RIGHT', ...overrides };
}
