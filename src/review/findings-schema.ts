import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from './types.js';
import type { ChecklistEntry, Finding } from './types.js';
import { RISK_LEVELS, WALKTHROUGH_LINE_MAX, WALKTHROUGH_NOTES_PER_CALL, walkthroughNoteSchema } from './walkthrough.js';
import type { WalkthroughNote } from './walkthrough.js';

/**
 * One finding, as DESIGN's findings schema fixes it. The evidence (`existing_code`, `failure`, `confidence`) comes
 * before the verdict (`severity` onwards) on purpose: structured output is generated in the schema's property
 * order, so the model commits to the quoted code and the concrete failure before it judges how bad it is.
 */
export const findingSchema = z.object({
  path: z.string().min(1).describe('File path exactly as shown in the diff header'),
  line: z.number().int().positive().describe('Line the finding is about; for a range, its first line'),
  end_line: z.number().int().positive().optional().describe('Last line of a range (inclusive), same hunk'),
  side: z.enum(['RIGHT', 'LEFT']).optional().describe('RIGHT for added or context lines (new numbering), LEFT for deleted lines (old numbering)'),
  existing_code: z
    .string()
    .max(4000)
    .min(1)
    .describe('The exact lines line..end_line are about, copied verbatim from the diff (without the L/R numbers and the +/- mark)'),
  failure: z
    .string()
    .min(1)
    .max(2000)
    .describe('The concrete scenario: which input or state makes this code go wrong, and what happens then'),
  confidence: z.number().min(0).max(1).describe('How sure you are that the failure happens, from 0 to 1'),
  severity: z.enum(SEVERITIES).describe('critical: data loss, security breach, outage; high: wrong results or a likely incident; medium: a real failure in an edge case; low: a latent risk'),
  category: z.enum(CATEGORIES),
  rule: z.string().min(1).max(80).optional().describe('Id of the standard it breaks, from the loaded skills'),
  title: z.string().min(1).max(200).describe('The failure in one line'),
  body: z.string().min(1).max(6000).describe('Why it fails and how to fix it'),
  suggestion: z.string().max(6000).optional().describe('Replacement text for lines line..end_line, without fences'),
  options: z.array(z.string().min(1).max(500)).max(5).optional().describe('When an existing pattern is questionable: follow / deviate with a reason / refactor the root'),
});

export const checklistEntrySchema = z.object({
  item: z.string().min(1).max(80),
  status: z.enum(['ok', 'concern', 'not-applicable']),
  note: z.string().max(1000),
});

/**
 * One file of the walkthrough (src/review/walkthrough.ts). The reason comes before the level, as a finding's
 * evidence comes before its severity: the model names what makes the change risky before it rates it.
 */
export const walkthroughFileSchema = z.object({
  path: z.string().min(1).describe('File path exactly as shown in its file tag'),
  change: z.string().min(1).max(WALKTHROUGH_LINE_MAX).describe('One line on what the change does to this file, for a reviewer who has not read it'),
  risk_reason: z
    .string()
    .min(1)
    .max(WALKTHROUGH_LINE_MAX)
    .optional()
    .describe('What makes this change risky, when something does, e.g. "a migration drops a column", "an endpoint\'s response shape changed", "auth middleware order changed"'),
  risk: z.enum(RISK_LEVELS).describe('How much a mistake in this change would hurt: high for data, auth, money or a public API contract; medium for behaviour users see; low otherwise'),
  test: z.string().min(1).max(WALKTHROUGH_LINE_MAX).optional().describe('What to test before merging because of this change, when it needs a check of its own'),
});

export const walkthroughSchema = z.object({
  files: z.array(walkthroughFileSchema).max(WALKTHROUGH_NOTES_PER_CALL).describe(`The files of this call, riskiest first, at most ${WALKTHROUGH_NOTES_PER_CALL}`),
});

/**
 * What the model is asked to return (sent as the JSON schema of `output_config.format`). The walkthrough is in the
 * schema of every call, so the schema, like the system prompt, is the same for every review (one cached prefix);
 * only a user turn that asks for it (build-prompt.ts) gets it filled in.
 */
export const modelOutputSchema = z.object({
  summary: z.string().describe('Two to five sentences on the main risks of the change and where they are; empty when nothing is wrong'),
  checklist: z.array(checklistEntrySchema),
  findings: z.array(findingSchema),
  walkthrough: walkthroughSchema.optional().describe('Only when the request asks for a walkthrough; leave it out otherwise'),
});

/**
 * What is accepted on arrival: the envelope strictly, the findings one by one, so a single malformed
 * finding is dropped and counted instead of losing the whole review.
 */
export const modelEnvelopeSchema = z.object({
  summary: z.string().max(20_000).catch(''),
  checklist: z.array(z.unknown()).catch([]),
  findings: z.array(z.unknown()),
  // Validated file by file (validateWalkthrough): a malformed walkthrough never costs the findings.
  walkthrough: z.unknown().optional(),
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
  // A confidence outside 0–1 is a scale slip (e.g. 80 for 0.8), not a reason to lose the evidence with it.
  confidence: z.number().transform((value) => clampConfidence(value)),
});

function clampConfidence(value: number): number {
  const scaled = value > 1 && value <= 100 ? value / 100 : value;
  return Math.min(1, Math.max(0, Number.isFinite(scaled) ? scaled : 0));
}

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

/** A walkthrough file as it may arrive: texts too long are cut (walkthrough.ts), not a reason to lose the file's line. */
const arrivingWalkthroughFileSchema = z.object({
  path: z.string().min(1).max(4096),
  change: z.string().min(1).max(20_000),
  risk_reason: z.string().max(20_000).optional().catch(undefined),
  risk: z.enum(RISK_LEVELS),
  test: z.string().max(20_000).optional().catch(undefined),
});

/**
 * The walkthrough's notes, file by file: one malformed entry is dropped, not the rest; anything but an object with
 * a `files` list is no walkthrough ([]).
 */
export function validateWalkthrough(raw: unknown): WalkthroughNote[] {
  const files = typeof raw === 'object' && raw !== null && 'files' in raw && Array.isArray(raw.files) ? (raw.files as unknown[]) : [];
  return files.flatMap((item) => {
    const arriving = arrivingWalkthroughFileSchema.safeParse(item);
    if (!arriving.success) return [];
    const { path, change, risk_reason: riskReason, risk, test } = arriving.data;
    const note = walkthroughNoteSchema.safeParse({ path, change, riskReason, risk, test });
    return note.success ? [note.data] : [];
  });
}
