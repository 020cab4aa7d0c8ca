import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentFileReader } from '../../src/ports/agent-file-reader.js';
import { bundledDir, createFsReader } from '../../src/adapters/agents/fs-reader.js';
import { parseSkillFile, ruleIdsOf } from '../../src/agents/parse-skill-file.js';
import { resolveSkills } from '../../src/agents/resolve-skills.js';

const repo = createFsReader(fileURLToPath(new URL('../fixtures/agents/repo-claude/', import.meta.url)));
const bundled = createFsReader(bundledDir());

/** An in-memory reader that records what was asked of it. */
function memoryReader(files: Record<string, string>): AgentFileReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async read(path) {
      reads.push(path);
      return files[path];
    },
    async list(dir) {
      const prefix = dir ? `${dir}/` : '';
      return Object.keys(files)
        .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
        .map((path) => path.slice(prefix.length));
    },
  };
}

describe('resolveSkills', () => {
  it('finds repo skills first, then bundled ones, and reports the missing', async () => {
    const result = await resolveSkills(['team-conventions', 'backend-standards', 'security-checklist', 'no-such-skill'], repo, bundled);

    expect(result.found.map((skill) => [skill.name, skill.source])).toEqual([
      ['team-conventions', '.claude/skills/team-conventions/SKILL.md'],
      ['backend-standards', '.github/bulwark/skills/backend-standards.md'],
      ['security-checklist', 'bundled:agents/skills/security-checklist.md'],
    ]);
    expect(result.missing).toEqual(['no-such-skill']);
    expect(result.warnings).toEqual([]);
  });

  it('reports a skill file that fails to parse and treats the skill as missing', async () => {
    const result = await resolveSkills(['broken-skill'], repo, bundled);

    expect(result.found).toEqual([]);
    expect(result.missing).toEqual(['broken-skill']);
    expect(result.warnings).toEqual([
      '.claude/skills/broken-skill/SKILL.md:4:1: invalid YAML frontmatter: unexpected end of the stream within a flow collection',
    ]);
  });

  it('prefers .claude/skills over .github/bulwark/skills', async () => {
    const reader = memoryReader({
      '.claude/skills/x/SKILL.md': '---\nname: x\n---\nfrom claude\n',
      '.github/bulwark/skills/x.md': '---\nname: x\n---\nfrom github\n',
    });

    const result = await resolveSkills(['x'], reader);

    expect(result.found.map((skill) => skill.body)).toEqual(['from claude']);
  });

  it('never looks up a name that could leave the skills folder', async () => {
    const reader = memoryReader({});

    const result = await resolveSkills(['../../etc/passwd', 'a/b'], reader, reader);

    expect(result.missing).toEqual(['../../etc/passwd', 'a/b']);
    expect(reader.reads).toEqual([]);
    expect(result.warnings).toHaveLength(2);
  });

  it('looks each duplicate up once', async () => {
    const reader = memoryReader({ 'skills/x.md': 'plain body, no frontmatter\n' });

    const result = await resolveSkills(['x', 'x'], undefined, reader);

    expect(result.found).toEqual([{ name: 'x', description: '', source: 'bundled:agents/skills/x.md', body: 'plain body, no frontmatter' }]);
    expect(reader.reads).toEqual(['skills/x.md']);
  });
});

describe('parseSkillFile', () => {
  it('reads a declared checklist', () => {
    const result = parseSkillFile('s.md', '---\nname: s\nchecklist:\n  - {id: authentication, title: "Authentication"}\n---\nBody\n', 's');

    expect(result.ok && result.skill.checklist).toEqual([{ id: 'authentication', title: 'Authentication' }]);
  });

  it('ignores an invalid checklist with a warning, keeping the skill', () => {
    const result = parseSkillFile('s.md', '---\nname: s\nchecklist:\n  - {id: Not An Id, title: x}\n---\nBody\n', 's');

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.skill.checklist).toBeUndefined();
    expect(result.warnings).toEqual([expect.stringMatching(/^s\.md:3: `checklist` \(item 0\.id\) must be a kebab-case id; ignored$/)]);
  });

  it('rejects an empty body', () => {
    expect(parseSkillFile('s.md', '---\nname: s\n---\n\n', 's')).toEqual({ ok: false, errors: ["s.md:4: the skill's body is empty"] });
  });
});

describe('ruleIdsOf', () => {
  it('collects ids from bold list items and headings', () => {
    const body = '## BE-REL-1 — Timeouts\n- **SEC-AUTHN-2** — JWTs\n- **DATA-10** — Time\nMentions BE-PERF-9 in prose only.\n';

    expect(ruleIdsOf({ body })).toEqual(['BE-REL-1', 'SEC-AUTHN-2', 'DATA-10']);
  });
});
