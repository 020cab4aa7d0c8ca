import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from '../review/types.js';

/** One labeled bug: where it is in the head (the changed code), what kind, and where the label comes from. */
export const labelSchema = z.object({
  path: z.string().min(1),
  /** First and last line of the bug in the head version of the file (inclusive). */
  lines: z.tuple([z.number().int().positive(), z.number().int().positive()]).refine(([first, last]) => first <= last, 'the first line comes before the last'),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  description: z.string().min(1).max(300),
  source: z.string().min(1),
});

/**
 * Third-party code as evaluation data is fetched, not vendored: `package` at `fixed` is the base and at
 * `vulnerable` the head, so the change under review is the reverse of the fix (it introduces the bug).
 */
export const recipeSchema = z.object({
  package: z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/, 'an npm package name'),
  fixed: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'an exact version'),
  vulnerable: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'an exact version'),
  /** Paths inside the package (without the tarball's `package/` folder). */
  files: z.array(z.string().min(1)).min(1).max(20),
  /** The package's license, which allows the use as data. */
  license: z.string().min(1),
});

/** `case.yml` of one case folder: `base/` holds the files before the change, `head/` the changed and added files. */
export const caseSchema = z.object({
  title: z.string().min(1).max(200),
  kind: z.enum(['real', 'planted', 'clean']),
  /** Where the bug is described (advisory, changelog) or `planted`. */
  source: z.string().min(1),
  /** A folder under eval/fixtures whose files are the base, under the case's own `base/`. */
  fixture: z.string().regex(/^[a-z0-9-]+$/).optional(),
  recipe: recipeSchema.optional(),
  /** Files the change deletes. */
  deleted: z.array(z.string().min(1)).default([]),
  /** `.github/bulwark.yml` of the base, as an object. */
  config: z.record(z.string(), z.unknown()).optional(),
  labels: z.array(labelSchema).default([]),
});

export type EvalLabel = z.infer<typeof labelSchema>;
export type EvalRecipe = z.infer<typeof recipeSchema>;
export type EvalCaseSpec = z.infer<typeof caseSchema>;
