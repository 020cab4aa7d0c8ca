import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from './types.js';
import type { ChecklistEntry, Finding } from './types.js';

/** One finding, as DESIGN's findings schema fixes it. */
export const findingSchema = z.object({
  path: z.string().min(1).describe('File path exactly as shown in the diff header'),
  line: z.number().int().positive().describe('Line the finding is about; for a range, its first line'),
  end_line: z.number().int().positive().optional().describe('Last line of a range (inclusive), same hunk'),
  side: z.enum(['RIGHT', 'LEFT']).optional().describe('RIGHT for added or context lines (new numbering), LEFT for deleted lines (old numbering)'),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  rule: z.string().min(1).max(80).optional().describe('Id of the standard it breaks, from the loaded skills'),
  title: z.string().min(1).max(200),
  body: z.string().min(1).max(6000),
  suggestion: z.string().max(6000).optional().describe('Replacement text for lines line..end_line, without fences'),
  options: z.array(z.string().min(1).max(500)).max(5).optional().describe('When an existing pattern is questionable: follow / deviate with a reason / refactor the root'),
});

export const checklistEntrySchema = z.object({
  item: z.string().min(1).max(80),
  status: z.enum(['ok', 'concern', 'not-applicable']),
  note: z.string().max(1000),
});

/** What the model is asked to return (sent as the JSON schema of `output_config.format`). */
export const modelOutputSchema = z.object({
  summary: z.string().describe('Two to five sentences on what the change does and its main risks'),
  checklist: z.array(checklistEntrySchema),
  findings: z.array(findingSchema),
});

/**
 * What is accepted on arrival: the envelope strictly, the findings one by one, so a single malformed
 * finding is dropped and counted instead of losing the whole review.
 */
export const modelEnvelopeSchema = z.object({
  summary: z.string().max(20_000).catch(''),
  checklist: z.array(z.unknown()).catch([]),
  findings: z.array(z.unknown()),
});

export interface ValidatedFindings {
  findings: Finding[];
  invalid: number;
}

/** The line of a finding about a file as a whole: no line of any file has it, so it is never anchored inline. */
export const FILE_LEVEL_LINE = 0;

const isLine = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * A finding as it may arrive: the model is asked for positive lines, but a line that cannot exist (0, negative,
 * fractional, missing) does not make what it found less true. Such a finding is kept about its file as a whole
 * (FILE_LEVEL_LINE; anchoring sends it to the review body), and an impossible `end_line` is ignored.
 */
const arrivingFindingSchema = findingSchema.extend({
  line: z.unknown().optional().transform((value) => (isLine(value) ? value : FILE_LEVEL_LINE)),
  end_line: z.unknown().transform((value) => (isLine(value) ? value : undefined)).optional(),
});

export function validateFindings(raw: unknown[]): ValidatedFindings {
  const findings: Finding[] = [];
  let invalid = 0;
  for (const item of raw) {
    const parsed = arrivingFindingSchema.safeParse(item);
    if (parsed.success) findings.push(parsed.data);
    else invalid += 1;
  }
  return { findings, invalid };
}

export function validateChecklist(raw: unknown[]): ChecklistEntry[] {
  return raw.flatMap((item) => {
    const parsed = checklistEntrySchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}
