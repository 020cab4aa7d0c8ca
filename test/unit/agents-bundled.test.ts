import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { agentChecklist } from '../../src/agents/agent-checklist.js';
import { bundledDir } from '../../src/adapters/agents/fs-reader.js';
import { loadBundledAgent } from '../../src/agents/load-bundled-agent.js';
import { parseSkillFile, ruleIdsOf } from '../../src/agents/parse-skill-file.js';
import type { LoadedAgent } from '../../src/agents/types.js';

const SKILLS = [
  'backend-standards',
  'security-checklist',
  'data-integrity',
  'api-design',
  'code-quality-standards',
  'test-standards',
  'development-workflow-standards',
];

async function bundledAgent(): Promise<LoadedAgent> {
  const result = await loadBundledAgent('claude-sonnet-5-5');
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.agent;
}

describe('the bundled backend specialist', () => {
  it('loads as a read-only Claude Code agent on sonnet', async () => {
    const agent = await bundledAgent();

    expect(agent.file).toBe('bundled:agents/backend-specialist.md');
    expect(agent.format).toBe('claude-code');
    expect(agent.name).toBe('backend-specialist');
    expect(agent.model).toEqual({ requested: 'sonnet', resolved: 'claude-sonnet-5-5' });
    expect(agent.tools).toEqual({ honoured: ['Read', 'Grep', 'Glob'], ignored: [] });
    expect(agent.fields.ignored).toEqual([]);
    expect(agent.warnings).toEqual([]);
  });

  it('finds every one of its skills among the bundled ones', async () => {
    const agent = await bundledAgent();

    expect(agent.skills.requested).toEqual(SKILLS);
    expect(agent.skills.missing).toEqual([]);
    expect(agent.skills.found.map((skill) => skill.name)).toEqual(SKILLS);
    expect(agent.skills.found.every((skill) => skill.source === `bundled:agents/skills/${skill.name}.md`)).toBe(true);
    expect(agent.skills.found.every((skill) => skill.description.length > 20)).toBe(true);
  });

  it('carries the four-layer security checklist', async () => {
    const agent = await bundledAgent();

    expect(agentChecklist(agent)).toEqual([
      { id: 'authentication', title: 'Authentication and authorisation' },
      { id: 'input-validation', title: 'Input validation and sanitisation' },
      { id: 'data-protection', title: 'Data protection' },
      { id: 'api-security', title: 'API security' },
    ]);
  });

  it.each([
    ['priority order', /reliability[\s\S]*security[\s\S]*performance[\s\S]*features/i],
    ['the latency budget', /200 ms at p99/],
    ['availability', /99\.9%/],
    ['transactions and ACID', /transactions, ACID/],
    ['zero trust', /zero trust/i],
    ['JWT, OAuth2/OIDC and RBAC', /JWT[\s\S]*OAuth2\/OIDC[\s\S]*RBAC/],
    ['encryption in transit and at rest', /encryption in transit and at rest/i],
    ['rate limits, headers and CORS', /rate limits[\s\S]*security headers[\s\S]*CORS/i],
    ['resource cleanup', /child processes, file watchers[\s\S]*timers/i],
    ['WebSocket compatibility', /WebSocket message/],
    ['type safety', /type safety/i],
    ['the options for questionable patterns', /`options`[\s\S]*follow[\s\S]*deviate[\s\S]*refactor/],
    ['staying quiet', /no style nits[\s\S]*no praise/i],
    ['reviewing, not implementing', /do not implement/i],
  ])('instructs the reviewer on %s', async (_topic, pattern) => {
    const agent = await bundledAgent();

    expect(agent.instructions).toMatch(pattern);
  });

  it.each([
    ['security-checklist', ['SEC-AUTHN-1', 'SEC-INPUT-1', 'SEC-DATA-1', 'SEC-API-1']],
    ['backend-standards', ['BE-REL-1', 'BE-PERF-1', 'BE-RES-1', 'BE-COMPAT-1', 'BE-TYPE-1']],
    ['data-integrity', ['DATA-1']],
    ['api-design', ['API-1']],
    ['test-standards', ['TEST-1']],
  ])('%s defines rule ids %j', async (name, ids) => {
    const agent = await bundledAgent();
    const skill = agent.skills.found.find((candidate) => candidate.name === name);

    expect(skill).toBeDefined();
    expect(ruleIdsOf(skill!)).toEqual(expect.arrayContaining(ids));
  });

  it('gives every rule a unique id across all skills', async () => {
    const agent = await bundledAgent();

    const ids = agent.skills.found.flatMap((skill) => ruleIdsOf(skill));

    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ships no skill file that the agent does not use, and each parses on its own', async () => {
    const files = (await readdir(`${bundledDir()}skills`)).filter((name) => name.endsWith('.md')).sort();

    expect(files).toEqual(SKILLS.map((name) => `${name}.md`).sort());
    for (const file of files) {
      const parsed = parseSkillFile(file, await readFile(`${bundledDir()}skills/${file}`, 'utf8'), file);
      expect(parsed.ok && parsed.warnings, file).toEqual([]);
    }
  });
});
