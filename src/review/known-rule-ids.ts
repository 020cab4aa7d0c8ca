import type { PromptAgent } from './build-prompt.js';
import type { Finding } from './types.js';

/**
 * Rule ids as skills write them: upper-case words joined by dashes, ending in a number or a word
 * (`SEC-INPUT-1`, `BE-REL-3`, `API-7`). Read from the agent's instructions and every loaded skill.
 */
const RULE_ID = /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b/g;

export function knownRuleIds(agent: Pick<PromptAgent, 'instructions' | 'skills'>): Set<string> {
  const ids = new Set<string>();
  for (const text of [agent.instructions, ...agent.skills.map((skill) => skill.body)]) {
    for (const match of text.matchAll(RULE_ID)) ids.add(match[0]);
  }
  return ids;
}

/**
 * A finding's `rule` is kept only when a loaded skill defines it: an id the model made up would send the reader
 * looking for a standard that does not exist. The finding itself stays; it is then keyed by its category.
 */
export function dropUnknownRules<T extends Finding>(findings: readonly T[], known: ReadonlySet<string>): { findings: T[]; dropped: number } {
  let dropped = 0;
  const kept = findings.map((finding) => {
    if (finding.rule === undefined) return finding;
    const rule = finding.rule.trim();
    if (known.has(rule)) return rule === finding.rule ? finding : { ...finding, rule };
    dropped += 1;
    return { ...finding, rule: undefined };
  });
  return { findings: kept, dropped };
}
