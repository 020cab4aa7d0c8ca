import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentFileReader } from '../../src/ports/agent-file-reader.js';
import { discoverAgent } from '../../src/agents/discover-agent.js';
import { bundledDir, createFsReader } from '../../src/adapters/agents/fs-reader.js';

const fixtureRepo = (name: string) => createFsReader(fileURLToPath(new URL(`../fixtures/agents/${name}/`, import.meta.url)));
const bundled = createFsReader(bundledDir());
const base = { bundled, operatorDefaultModel: 'sonnet' };

/** Counts reads, to show discovery stops at the first match. */
function counting(reader: AgentFileReader): AgentFileReader & { reads: string[] } {
  const reads: string[] = [];
  return { reads, read: (path) => (reads.push(path), reader.read(path)), list: (dir) => reader.list(dir) };
}

describe('discoverAgent', () => {
  it("uses the repo's backend-specialist when the config names no agent", async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-claude') });

    expect(result.source).toBe('repo');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.agent.file).toBe('.claude/agents/backend-specialist.md');
    expect(result.agent.skills.found.map((skill) => skill.source)).toEqual([
      '.claude/skills/team-conventions/SKILL.md',
      'bundled:agents/skills/security-checklist.md',
      '.github/bulwark/skills/backend-standards.md',
    ]);
    expect(result.agent.skills.missing).toEqual(['no-such-skill']);
  });

  it('selects an agent by its frontmatter name when no file is named after it', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-claude'), name: 'perf-reviewer' });

    expect(result.ok && result.agent.file).toBe('.claude/agents/notes.md');
    expect(result.ok && result.agent.model.resolved).toBe('claude-haiku-5-5');
  });

  it('selects an OpenCode agent by its file name', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-opencode'), name: 'backend' });

    expect(result.source).toBe('repo');
    expect(result.ok && result.agent.format).toBe('opencode');
    expect(result.ok && result.agent.file).toBe('.opencode/agent/backend.md');
  });

  it('finds agents under .github/bulwark/agents with skills under .github/bulwark/skills', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-github') });

    expect(result.ok && result.agent.file).toBe('.github/bulwark/agents/backend-specialist.md');
    expect(result.ok && result.agent.skills.found.map((skill) => skill.source)).toEqual([
      '.github/bulwark/skills/house-rules.md',
      'bundled:agents/skills/api-design.md',
    ]);
  });

  it('falls back to the bundled agent when the repo has no backend-specialist', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-opencode') });

    expect(result.source).toBe('bundled');
    expect(result.ok && result.agent.file).toBe('bundled:agents/backend-specialist.md');
    expect(result.ok && result.agent.skills.missing).toEqual([]);
  });

  it('returns a broken repo agent as a failure instead of swapping it for the bundled one', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-broken') });

    expect(result.source).toBe('repo');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.file).toBe('.claude/agents/backend-specialist.md');
    expect(result.errors[0]).toMatch(/^\.claude\/agents\/backend-specialist\.md:\d+:\d+: invalid YAML frontmatter/);
  });

  it('notes broken agent files it skipped on the way to a match', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-broken'), name: 'other' });

    expect(result.ok && result.agent.name).toBe('other');
    expect(result.notes).toEqual([]);

    const byName = await discoverAgent({ ...base, repo: fixtureRepo('repo-broken'), name: 'no-file-named-like-this' });
    expect(byName.source).toBe('none');
    expect(byName.notes).toEqual([expect.stringMatching(/^\.claude\/agents\/backend-specialist\.md was skipped: /)]);
  });

  it('fails with the places it searched when no agent has the name', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-github'), name: 'nobody' });

    expect(result).toMatchObject({
      ok: false,
      source: 'none',
      file: 'nobody',
      errors: ["no agent named 'nobody' in .claude/agents, .opencode/agent, .opencode/agents, .github/bulwark/agents, the agent map of opencode.json(c) or among the bundled agents"],
    });
  });

  it('stops reading at the first match', async () => {
    const repo = counting(fixtureRepo('repo-claude'));

    await discoverAgent({ ...base, repo });

    expect(repo.reads[0]).toBe('.claude/agents/backend-specialist.md');
    expect(repo.reads.filter((path) => path.startsWith('.claude/agents/'))).toEqual(['.claude/agents/backend-specialist.md']);
  });

  it('applies the repo config model and the operator allowlist', async () => {
    const result = await discoverAgent({ ...base, repo: fixtureRepo('repo-claude'), modelOverride: 'haiku', allowedModels: ['sonnet', 'haiku'] });

    expect(result.ok && result.agent.model).toMatchObject({ requested: 'haiku', resolved: 'claude-haiku-5-5' });
  });
});
