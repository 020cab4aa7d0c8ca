import type { AgentFileReader } from '../ports/agent-file-reader.js';
import { parseSkillFile } from './parse-skill-file.js';
import type { LoadedSkill, LoadResult } from './types.js';

/** How bundled files are named in results, so a check run can tell them from the repo's own. */
export const BUNDLED_PREFIX = 'bundled:agents/';

export interface SkillResolution {
  found: LoadedSkill[];
  missing: string[];
  /** Skill files that exist but could not be used (broken YAML, empty body, invalid checklist, bad name). */
  warnings: string[];
}

/** Skill names become paths; anything that could step out of the skills folder is refused. */
const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Finds each skill: the repo's own first (`.claude/skills/<name>/SKILL.md`, then
 * `.github/bulwark/skills/<name>.md`), then the bundled ones (`skills/<name>.md` under the bundled reader, which
 * is rooted at the package's `agents/` folder). A skill found nowhere is reported in `missing`, never fatal. A
 * candidate that fails to parse is reported in `warnings` and the next location is tried.
 */
export async function resolveSkills(
  names: readonly string[],
  repo: AgentFileReader | undefined,
  bundled?: AgentFileReader,
): Promise<SkillResolution> {
  const found: LoadedSkill[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];

  for (const name of [...new Set(names)]) {
    if (!SKILL_NAME.test(name) || name.includes('..')) {
      missing.push(name);
      warnings.push(`skill name '${name}' is not a plain name (letters, digits, '.', '_', '-'); not looked up`);
      continue;
    }
    const skill = await findSkill(name, repo, bundled, warnings);
    if (skill) found.push(skill);
    else missing.push(name);
  }
  return { found, missing, warnings };
}

/** A parsed agent with its requested skills resolved (resolveSkills) and their warnings added; a failure as it came. */
export async function withResolvedSkills(loaded: LoadResult, readers: { repo?: AgentFileReader; bundled?: AgentFileReader }): Promise<LoadResult> {
  if (!loaded.ok) return loaded;
  const skills = await resolveSkills(loaded.agent.skills.requested, readers.repo, readers.bundled);
  return {
    ok: true,
    agent: {
      ...loaded.agent,
      skills: { requested: loaded.agent.skills.requested, found: skills.found, missing: skills.missing },
      warnings: [...(loaded.agent.warnings ?? []), ...skills.warnings],
    },
  };
}

async function findSkill(
  name: string,
  repo: AgentFileReader | undefined,
  bundled: AgentFileReader | undefined,
  warnings: string[],
): Promise<LoadedSkill | undefined> {
  const candidates: { reader: AgentFileReader | undefined; path: string; source: string }[] = [
    { reader: repo, path: `.claude/skills/${name}/SKILL.md`, source: `.claude/skills/${name}/SKILL.md` },
    { reader: repo, path: `.github/bulwark/skills/${name}.md`, source: `.github/bulwark/skills/${name}.md` },
    { reader: bundled, path: `skills/${name}.md`, source: `${BUNDLED_PREFIX}skills/${name}.md` },
  ];
  for (const { reader, path, source } of candidates) {
    if (!reader) continue;
    const text = await reader.read(path);
    if (text === undefined) continue;
    const parsed = parseSkillFile(source, text, name);
    if (parsed.ok) {
      warnings.push(...parsed.warnings);
      return parsed.skill;
    }
    warnings.push(...parsed.errors);
  }
  return undefined;
}
