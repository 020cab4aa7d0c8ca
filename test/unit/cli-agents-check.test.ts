import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAgentsCheck, type AgentCheckReport } from '../../src/cli/run-agents-check.js';
import { runCli } from '../../src/cli/run-cli.js';
import { repoWith } from '../helpers/temp-repo.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

function capture() {
  let text = '';
  return { stream: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

async function check(argv: string[], cwd = FIXTURES, env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runAgentsCheck(argv, { cwd, stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function checkJson(argv: string[], cwd = FIXTURES, env: Record<string, string> = {}) {
  const result = await check(['--json', ...argv], cwd, env);
  return { code: result.code, reports: JSON.parse(result.stdout) as AgentCheckReport[] };
}

describe('bulwark agents check --json', () => {
  it('prints one object per file with the documented shape and exits 0 when all load', async () => {
    const { code, reports } = await checkJson(['repo-opencode/.opencode/agent/backend.md', 'files/crlf.md']);

    expect(code).toBe(0);
    expect(reports).toEqual([
      {
        file: 'repo-opencode/.opencode/agent/backend.md',
        ok: true,
        format: 'opencode',
        name: 'backend',
        description: 'Backend reviewer for the API gateway',
        model: {
          requested: 'openrouter/anthropic/claude-sonnet-4',
          resolved: 'claude-sonnet-5-5',
          warning: "'openrouter/anthropic/claude-sonnet-4' is an older sonnet generation; using the current 'claude-sonnet-5-5'",
        },
        tools: { honoured: ['Read', 'Grep', 'Glob'], ignored: ['write'] },
        skills: { found: [], missing: [] },
        fields: { honoured: ['description', 'model', 'tools'], ignored: ['mode', 'temperature', 'permission'] },
        warnings: [],
        errors: [],
      },
      expect.objectContaining({ file: 'files/crlf.md', ok: true, format: 'claude-code', name: 'crlf-agent', errors: [] }),
    ]);
  });

  it('exits 1 when any file fails, listing its errors and null for what it could not read', async () => {
    const { code, reports } = await checkJson(['files/broken-yaml.md', 'files/bom.md']);

    expect(code).toBe(1);
    expect(reports[0]).toEqual({
      file: 'files/broken-yaml.md',
      ok: false,
      format: null,
      name: null,
      description: null,
      model: null,
      tools: null,
      skills: null,
      fields: null,
      warnings: [],
      errors: [expect.stringMatching(/^files\/broken-yaml\.md:5:\d+: invalid YAML frontmatter/)],
    });
    expect(reports[1]).toMatchObject({ ok: true, name: 'bom-agent' });
  });

  it('looks skills up in the repository the agent file belongs to, then among the bundled ones', async () => {
    const { reports } = await checkJson(['repo-claude/.claude/agents/backend-specialist.md']);

    expect(reports[0]?.skills).toEqual({
      found: ['team-conventions', 'security-checklist', 'backend-standards'],
      missing: ['no-such-skill'],
    });
  });

  it('checks every agent folder of a repository root given as a path', async () => {
    const { code, reports } = await checkJson(['repo-claude']);

    expect(code).toBe(0);
    expect(reports.map((report) => report.file)).toEqual([
      'repo-claude/.claude/agents/backend-specialist.md',
      'repo-claude/.claude/agents/notes.md',
      'repo-claude/.claude/agents/security-auditor.md',
    ]);
    expect(reports[2]?.warnings).toEqual([expect.stringMatching(/broken-skill\/SKILL\.md:4:1: invalid YAML/)]);
  });

  it('checks every .md file of a plain folder, and fails if one is broken', async () => {
    const { code, reports } = await checkJson(['files']);

    expect(code).toBe(1);
    expect(reports.filter((report) => !report.ok).map((report) => report.file).sort()).toEqual([
      'files/bad-types.md',
      'files/broken-yaml.md',
      'files/empty-body.md',
      'files/js-frontmatter.md',
      'files/no-description.md',
      'files/no-frontmatter.md',
      'files/unclosed.md',
    ]);
    expect(reports.find((report) => report.file === 'files/utf16.md')).toMatchObject({ ok: true, name: 'utf16-agent' });
  });

  it('defaults to the agent folders of the current directory', async () => {
    const { reports } = await checkJson([], `${FIXTURES}repo-github`);

    expect(reports.map((report) => [report.file, report.ok])).toEqual([['.github/bulwark/agents/backend-specialist.md', true]]);
    expect(reports[0]?.skills).toEqual({ found: ['house-rules', 'api-design'], missing: [] });
  });

  it('checks the bundled agent when the current directory has no agents', async () => {
    const { code, reports } = await checkJson([], `${FIXTURES}files`);

    expect(code).toBe(0);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ file: 'bundled:agents/backend-specialist.md', ok: true, name: 'backend-specialist' });
    expect(reports[0]?.skills?.missing).toEqual([]);
  });

  it('resolves models against BULWARK_MODEL and BULWARK_ALLOWED_MODELS', async () => {
    const { reports } = await checkJson(['files/missing-name.md', 'repo-claude/.claude/agents/backend-specialist.md'], FIXTURES, {
      BULWARK_MODEL: 'haiku',
      BULWARK_ALLOWED_MODELS: 'haiku, sonnet',
    });

    expect(reports[0]?.model).toEqual({ requested: null, resolved: 'claude-haiku-5-5', warning: null });
    expect(reports[1]?.model?.resolved).toBe('claude-haiku-5-5');
    expect(reports[1]?.model?.warning).toContain('not among the operator');
  });

  it('reports a path that does not exist as a failure', async () => {
    const { code, reports } = await checkJson(['nope.md']);

    expect(code).toBe(1);
    expect(reports[0]).toMatchObject({ file: 'nope.md', ok: false, errors: ['nope.md: no such file or folder'] });
  });
});

describe('bulwark agents check (text)', () => {
  it('prints name, format, model, tools, skills and problems per agent', async () => {
    const { code, stdout } = await check(['repo-claude/.claude/agents/backend-specialist.md', 'files/empty-body.md']);

    expect(code).toBe(1);
    expect(stdout).toContain('ok   repo-claude/.claude/agents/backend-specialist.md');
    expect(stdout).toContain('name:    backend-specialist (claude-code)');
    expect(stdout).toContain('model:   opus -> claude-opus-5-5');
    expect(stdout).toContain('tools:   honoured Read, Grep, Glob; ignored Edit, Bash(git diff:*)');
    expect(stdout).toContain('skills:  found team-conventions, security-checklist, backend-standards; missing no-such-skill');
    expect(stdout).toContain('fields:  ignored color');
    expect(stdout).toContain('FAIL files/empty-body.md');
    expect(stdout).toContain("error: files/empty-body.md:5: the body is empty; it holds the agent's instructions");
    expect(stdout).toMatch(/2 agents checked, 1 failed\n$/);
  });

  it('exits 2 on an unknown option', async () => {
    const { code, stderr } = await check(['--jsn']);

    expect(code).toBe(2);
    expect(stderr).toContain('Usage: bulwark agents check');
  });
});

describe('bulwark agents check with an OpenCode config (opencode.json)', () => {
  it('checks each agent of the agent map: model, tools, skills, ignored fields, its prompt file read beside the config', async () => {
    const { code, reports } = await checkJson(['repo-opencode-json/opencode.json']);

    expect(code).toBe(0);
    expect(reports).toEqual([
      {
        file: 'repo-opencode-json/opencode.json#agent.backend-specialist',
        ok: true,
        format: 'opencode',
        name: 'backend-specialist',
        description: 'Reviews the payments API.',
        model: { requested: 'anthropic/claude-haiku-4-5', resolved: 'claude-haiku-5-5', warning: expect.stringContaining('older haiku generation') },
        tools: { honoured: ['Read', 'Grep'], ignored: ['bash'] },
        skills: { found: ['payments-rules', 'security-checklist'], missing: [] },
        fields: { honoured: ['description', 'model', 'prompt', 'tools', 'skills'], ignored: ['mode', 'temperature'] },
        warnings: [],
        errors: [],
      },
      expect.objectContaining({ file: 'repo-opencode-json/opencode.json#agent.inline-reviewer', ok: true, name: 'inline-reviewer' }),
    ]);
  });

  it('a repository root: its agent folders, then .opencode/opencode.jsonc (JSONC comments allowed), then opencode.json', async () => {
    const { code, stdout } = await check([], `${FIXTURES}repo-opencode-json`);

    expect(code).toBe(0);
    expect(stdout.split('\n').filter((line) => /^(ok {2}|FAIL) /.test(line))).toEqual([
      'ok   .opencode/opencode.jsonc#agent.nested',
      'ok   .opencode/opencode.jsonc#agent.switched-off',
      'ok   opencode.json#agent.backend-specialist',
      'ok   opencode.json#agent.inline-reviewer',
    ]);
    expect(stdout).toContain('problem: .opencode/opencode.jsonc:8: agent `switched-off`: the agent is disabled (`disable: true`); a review does not use it');
    expect(stdout).toContain('name:    backend-specialist (opencode)');
  });

  it('bad JSON fails with its line and column, and exits 1', async () => {
    const root = repoWith({ 'opencode.json': '{\n  "agent": {\n    "r": { "description": "d", "prompt": "p" }\n  \n}\n' });
    const { code, stdout } = await check(['opencode.json'], root);

    expect(code).toBe(1);
    expect(stdout).toContain('FAIL opencode.json');
    expect(stdout).toMatch(/error: opencode\.json:6:1: invalid JSON: close brace expected/);
  });

  it('a prompt file that is missing fails that agent, naming the path; the others still load', async () => {
    const root = repoWith({
      'opencode.json': JSON.stringify({ agent: { a: { description: 'd', prompt: '{file:./prompts/a.md}' }, b: { description: 'd', prompt: 'Inline.' } } }, null, 2),
    });
    const { code, reports } = await checkJson([], root);

    expect(code).toBe(1);
    expect(reports.map((report) => [report.file, report.ok])).toEqual([['opencode.json#agent.a', false], ['opencode.json#agent.b', true]]);
    expect(reports[0]?.errors).toEqual(['opencode.json:5: agent `a`: `prompt` refers to {file:./prompts/a.md}, but prompts/a.md does not exist']);
  });

  it('unknown tools are listed as problems, never run', async () => {
    const root = repoWith({ 'opencode.json': JSON.stringify({ agent: { r: { description: 'd', prompt: 'p', tools: { raed: true, bash: true } } } }) });
    const { code, stdout } = await check(['opencode.json'], root);

    expect(code).toBe(0);
    expect(stdout).toContain('tools:   honoured Read, Grep, Glob; ignored raed, bash');
    expect(stdout).toContain("problem: opencode.json:1: agent `r`: tool `raed` is not one of OpenCode's own tools (an MCP tool, or a typo?); Bulwark never runs it");
  });

  it('a config without an agent map has nothing to check, and says so', async () => {
    const root = repoWith({ 'opencode.json': '{ "model": "anthropic/claude-sonnet-4-5" }' });
    const { code, stdout } = await check(['opencode.json'], root);

    expect(code).toBe(0);
    expect(stdout).toContain('note: opencode.json: no agents (it has no `agent` map)');
  });
});

describe('runCli', () => {
  it('dispatches agents check and rejects unknown commands', async () => {
    const out = capture();

    const ok = await runCli(['agents', 'check', '--json', 'files/bom.md'], { cwd: FIXTURES, stdout: out.stream, env: {} });
    const unknown = await runCli(['agents', 'lint'], { cwd: FIXTURES, stdout: capture().stream, env: {} });

    expect(ok).toBe(0);
    expect(JSON.parse(out.text())).toHaveLength(1);
    expect(unknown).toBe(2);
  });
});
