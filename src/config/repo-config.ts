import { z } from 'zod';
import { SEVERITIES } from '../review/types.js';

export const REPO_CONFIG_FILE = 'bulwark.yml';

const TRIGGERS = ['opened', 'reopened', 'ready_for_review', 'synchronize'] as const;
export type ConfigTrigger = (typeof TRIGGERS)[number];

/**
 * GitHub's `author_association` values (https://docs.github.com/en/graphql/reference/enums#commentauthorassociation),
 * as the pulls API gives them for the pull request's author.
 */
export const AUTHOR_ASSOCIATIONS = ['OWNER', 'MEMBER', 'COLLABORATOR', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'MANNEQUIN', 'NONE'] as const;
export type AuthorAssociation = (typeof AUTHOR_ASSOCIATIONS)[number];

/** `.github/bulwark.yml`, as documented in the README's configuration reference. */
export const repoConfigSchema = z
  .object({
    /**
     * Another file this one extends (`repo`, `owner/repo` or `repo:path.yml`; README "Repository config"). The
     * GitHub host follows it and removes it; one still here was not followed (its file does not exist, or the
     * host cannot read others), and names the file: the review says so (src/render/render-config-problems.ts).
     */
    _extends: z.string().min(1).optional(),
    agent: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    paths: z
      .object({
        include: z.array(z.string().min(1)).default(['**/*']),
        exclude: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    instructions: z
      .array(z.object({ path: z.string().min(1), text: z.string().min(1).max(4000) }))
      .max(50)
      .default([]),
    review: z
      .object({
        on: z.array(z.enum(TRIGGERS)).default(['opened', 'reopened', 'ready_for_review']),
        drafts: z.boolean().default(false),
        bots: z.boolean().default(false),
        // Ten: about what a person reads and acts on in one review; the rest are listed in the review body.
        max_comments: z.number().int().min(0).max(100).default(10),
        min_severity: z.enum(SEVERITIES).default('low'),
        // Findings below are listed in the review body (collapsed) instead of as inline comments.
        inline_min_severity: z.enum(SEVERITIES).default('medium'),
        // A second model call scores each finding 0–10; findings scored below min_score are not posted.
        verify: z.boolean().default(true),
        min_score: z.number().int().min(0).max(10).default(6),
        // The walkthrough: files grouped by backend area, a risk level with its reasons, what to test (render-walkthrough.ts).
        walkthrough: z.boolean().default(false),
        // Whose pull requests are reviewed automatically; a command or Re-run by someone with write access reviews any.
        authors: z.union([z.literal('all'), z.array(z.enum(AUTHOR_ASSOCIATIONS)).min(1)]).default('all'),
      })
      .prefault({}),
    check: z
      .object({
        blocking: z.boolean().default(false),
        fail_on: z.enum(SEVERITIES).default('high'),
        request_changes: z.boolean().default(false),
      })
      .prefault({}),
    budget: z
      .object({
        max_input_tokens: z.number().int().positive().default(200_000),
      })
      .prefault({}),
    // What the team taught Bulwark (src/learning): its learnings go into the prompt, and a finding (or rule) the team
    // rejected reject_after times is not posted again. Two: one 👎 may be a slip, two is a verdict.
    learning: z
      .object({
        enabled: z.boolean().default(true),
        reject_after: z.number().int().min(1).max(20).default(2),
      })
      .prefault({}),
  })
  .loose();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

export type RepoConfigResult =
  | { ok: true; config: RepoConfig; unknownKeys: string[] }
  | { ok: false; problems: string[] };

const KNOWN_KEYS = new Set(Object.keys(repoConfigSchema.shape));

/** Validates the raw YAML value; a problem names the field (`review.max_comments`) and what is wrong. */
export function parseRepoConfig(raw: unknown): RepoConfigResult {
  const value = raw ?? {};
  const parsed = repoConfigSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    };
  }
  const unknownKeys = typeof value === 'object' ? Object.keys(value).filter((key) => !KNOWN_KEYS.has(key)) : [];
  return { ok: true, config: parsed.data, unknownKeys };
}

export function defaultRepoConfig(): RepoConfig {
  return repoConfigSchema.parse({});
}
