import { z } from 'zod';
import { lineOfKey, readFrontmatter } from './read-frontmatter.js';
import type { LoadedSkill } from './types.js';

const ChecklistSchema = z.array(
  z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a kebab-case id'),
    title: z.string().min(1),
  }),
  { error: 'must be a list of {id, title} items' },
);

const SkillFrontmatterSchema = z.object({
  name: z.union([z.string(), z.number()]).transform(String).optional(),
  description: z.string().optional(),
});

export type SkillParseResult = { ok: true; skill: LoadedSkill; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Parses a skill file: `.claude/skills/<name>/SKILL.md`, `.github/bulwark/skills/<name>.md` or a bundled
 * `agents/skills/<name>.md`. Frontmatter is optional (name falls back to the requested name); a skill may declare
 * `checklist:` items, which the review reports on. An invalid checklist is a warning, not a failure.
 */
export function parseSkillFile(source: string, text: string, requestedName: string): SkillParseResult {
  const frontmatter = readFrontmatter(source, text);
  if (!frontmatter.ok) return { ok: false, errors: frontmatter.errors };
  const { data, yaml, yamlLine, body, bodyLine } = frontmatter;

  const fields = SkillFrontmatterSchema.safeParse({
    ...(data['name'] != null ? { name: data['name'] } : {}),
    ...(data['description'] != null ? { description: data['description'] } : {}),
  });
  if (!fields.success) {
    return {
      ok: false,
      errors: fields.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        return `${source}:${lineOfKey(yaml, yamlLine, key)}: \`${key}\` must be a string`;
      }),
    };
  }
  const trimmed = body.trim();
  if (!trimmed) return { ok: false, errors: [`${source}:${bodyLine}: the skill's body is empty`] };

  const warnings: string[] = [];
  let checklist: LoadedSkill['checklist'];
  if (data['checklist'] != null) {
    const parsed = ChecklistSchema.safeParse(data['checklist']);
    if (parsed.success) checklist = parsed.data;
    else {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` (item ${issue.path.join('.')})` : '';
      warnings.push(`${source}:${lineOfKey(yaml, yamlLine, 'checklist')}: \`checklist\`${where} ${issue?.message ?? 'is invalid'}; ignored`);
    }
  }

  return {
    ok: true,
    skill: {
      name: fields.data.name?.trim() || requestedName,
      description: fields.data.description?.trim() ?? '',
      source,
      body: trimmed,
      ...(checklist ? { checklist } : {}),
    },
    warnings,
  };
}

/**
 * Rule ids a skill defines (`BE-REL-1`, `SEC-AUTHN-2`, `DATA-3`, …): the values a finding's `rule` may cite.
 * Ids are taken from markdown headings and from list items or lines that start with a bold id.
 */
export function ruleIdsOf(skill: Pick<LoadedSkill, 'body'>): string[] {
  const ids = new Set<string>();
  const pattern = /^(?:#{1,6}\s+|[-*]\s+)?(?:\*\*)?`?([A-Z][A-Z0-9]*(?:-[A-Z][A-Z0-9]*)*-\d+)`?(?:\*\*)?(?=[\s:.—–-])/gm;
  for (const match of skill.body.matchAll(pattern)) if (match[1]) ids.add(match[1]);
  return [...ids];
}
