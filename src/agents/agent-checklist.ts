import type { ChecklistItem, LoadedAgent } from './types.js';

/** The checklist items of every loaded skill, first declaration of an id wins: what the review's table lists. */
export function agentChecklist(agent: Pick<LoadedAgent, 'skills'>): ChecklistItem[] {
  const items = new Map<string, ChecklistItem>();
  for (const skill of agent.skills.found) {
    for (const item of skill.checklist ?? []) if (!items.has(item.id)) items.set(item.id, item);
  }
  return [...items.values()];
}
