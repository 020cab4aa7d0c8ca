import type { ChecklistEntry } from './types.js';

export interface ChecklistItem {
  id: string;
  title: string;
}

const key = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');

/**
 * The checklist table lists the items of the loaded checklist, in its order and with its titles, with the status
 * the model reported for each. An item the model skipped is shown as not assessed rather than dropped; items the
 * model added on its own follow. Without a loaded checklist the model's entries stand as they are.
 */
export function alignChecklist(items: readonly ChecklistItem[], reported: readonly ChecklistEntry[]): ChecklistEntry[] {
  if (items.length === 0) return [...reported];
  const used = new Set<ChecklistEntry>();
  const aligned = items.map((item) => {
    const match = reported.find((entry) => !used.has(entry) && (key(entry.item) === key(item.id) || key(entry.item) === key(item.title)));
    if (!match) return { item: item.title, status: 'not-applicable', note: 'Not assessed in this review.' } satisfies ChecklistEntry;
    used.add(match);
    return { ...match, item: item.title };
  });
  return [...aligned, ...reported.filter((entry) => !used.has(entry))];
}
