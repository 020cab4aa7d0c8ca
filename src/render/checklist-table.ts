import type { ChecklistEntry } from '../review/types.js';
import { sanitizeInline } from './sanitize-text.js';

const STATUS_ICON = {
  ok: '✅',
  concern: '⚠️',
  'not-applicable': '➖',
} as const satisfies Record<ChecklistEntry['status'], string>;

const MAX_ROWS = 40;
const ITEM_MAX = 120;
const NOTE_MAX = 400;

/**
 * The agent's checklist as a GFM table (| Item | Status | Note |); empty string when there is no checklist.
 * Items and notes come from the model, so each cell is sanitized, kept on one line and has its pipes escaped.
 */
export function renderChecklistTable(entries: readonly ChecklistEntry[], maxRows = MAX_ROWS): string {
  if (entries.length === 0) return '';
  const rows = entries.slice(0, maxRows).map((entry) => {
    const item = sanitizeInline(entry.item, ITEM_MAX, { table: true });
    const note = sanitizeInline(entry.note, NOTE_MAX, { table: true });
    return `| ${item} | ${STATUS_ICON[entry.status]} | ${note} |`;
  });
  const more = entries.length > maxRows ? [``, `… and ${entries.length - maxRows} more checklist items.`] : [];
  return ['| Item | Status | Note |', '|---|:---:|---|', ...rows, ...more].join('\n');
}
