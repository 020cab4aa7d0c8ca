import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/adapters/agents/fs-reader.js';
import { detectFormat, parseAgentFile } from '../../src/agents/parse-agent-file.js';
import type { LoadedAgent, LoadResult } from '../../src/agents/types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

/** As a GitHub or plain `readFile` reader would hand it over: UTF-8, BOM kept. UTF-16 goes through the fs reader's decoder. */
async function fixture(path: string): Promise<string> {
  const bytes = await readFile(`${FIXTURES}${path}`);
  return bytes[0] === 0xff ? decodeText(bytes) : bytes.toString('utf8');
}

async function load(path: string): Promise<LoadResult> {
  return parseAgentFile(path, await fixture(path), { operatorDefaultModel: 'claude-sonnet-5-5' });
}

async function loadOk(path: string): Promise<LoadedAgent> {
  const result = await load(path);
  if (!result.ok) throw new Error(`expected ${path} to load: ${result.errors.join('; ')}`);
  return result.agent;
}

async function loadErrors(path: string): Promise<string[]> {
  const result = await load(path);
  if (result.ok) throw new Error(`expected ${path} to fail`);
  return result.errors;
}

describe('parseAgentFile: Claude Code files', () => {
  it('reads name, description, model, tools as a string and skills as a string', async () => {
    const agent = await loadOk('repo-claude/.claude/agents/backend-specialist.md');

    expect(agent.format).toBe('claude-code');
    expect(agent.name).toBe('backend-specialist');
    expect(agent.description).toBe('Reviews the payments service for reliability and security problems.');
    expect(agent.instructions).toBe('You review changes to the payments service. Money is stored in minor units.');
    expect(agent.model).toEqual({ requested: 'opus', resolved: 'claude-opus-5-5' });
    expect(agent.tools).toEqual({ honoured: ['Read', 'Grep', 'Glob'], ignored: ['Edit', 'Bash(git diff:*)'] });
    expect(agent.skills.requested).toEqual(['team-conventions', 'security-checklist', 'backend-standards', 'no-such-skill']);
    expect(agent.fields).toEqual({ honoured: ['name', 'description', 'tools', 'model', 'skills'], ignored: ['color'] });
    expect(agent.extra).toEqual({ color: 'blue' });
  });

  it('reads tools and skills given as YAML lists, and maps an old model id to the current one of its tier', async () => {
    const agent = await loadOk('repo-claude/.claude/agents/security-auditor.md');

    expect(agent.tools).toEqual({ honoured: ['Read', 'Grep'], ignored: ['WebFetch'] });
    expect(agent.skills.requested).toEqual(['security-checklist', 'broken-skill']);
    expect(agent.model.resolved).toBe('claude-sonnet-5-5');
    expect(agent.model.warning).toContain('older sonnet generation');
  });

  it('never honours Write, Edit, Bash or MCP tools, whatever the list asks for', async () => {
    const agent = await loadOk('files/tools-list.md');

    expect(agent.tools.honoured).toEqual(['Read', 'Glob']);
    expect(agent.tools.ignored).toEqual(['Write', 'Edit', 'Bash', 'mcp__github__create_issue']);
  });

  it('takes the file name as the name when the frontmatter has none', async () => {
    const agent = await loadOk('files/missing-name.md');

    expect(agent.name).toBe('missing-name');
    expect(agent.tools.honoured).toEqual(['Glob']);
  });

  it('keeps unknown keys in extra and reports them as ignored fields', async () => {
    const agent = await loadOk('files/unknown-keys.md');

    expect(agent.fields.ignored).toEqual(['color', 'permissionMode', 'hooks', 'x-team-owner']);
    expect(agent.extra).toEqual({
      color: 'purple',
      permissionMode: 'acceptEdits',
      hooks: { PreToolUse: [{ matcher: 'Bash' }] },
      'x-team-owner': 'payments',
    });
  });

  it('accepts anchors, aliases, merge keys, quoted keys and block scalars', async () => {
    const agent = await loadOk('files/anchors.md');

    expect(agent.name).toBe('anchored-agent');
    expect(agent.description).toBe('A folded block scalar spread over two lines.');
    expect(agent.tools.honoured).toEqual(['Read', 'Grep']);
    expect(agent.skills.requested).toEqual(['security-checklist', 'api-design']);
    expect(agent.model).toMatchObject({ requested: 'claude-sonnet-4-5-20250929', resolved: 'claude-sonnet-5-5' });
    expect(agent.extra?.['settings']).toEqual({ model: 'haiku', extra: true });
  });
});

describe('parseAgentFile: OpenCode files', () => {
  it('reads an OpenCode agent: name from the file, provider/model id, tools map, mode/temperature/permission ignored', async () => {
    const agent = await loadOk('repo-opencode/.opencode/agent/backend.md');

    expect(agent.format).toBe('opencode');
    expect(agent.name).toBe('backend');
    expect(agent.model.requested).toBe('openrouter/anthropic/claude-sonnet-4');
    expect(agent.model.resolved).toBe('claude-sonnet-5-5');
    expect(agent.tools).toEqual({ honoured: ['Read', 'Grep', 'Glob'], ignored: ['write'] });
    expect(agent.fields.ignored).toEqual(['mode', 'temperature', 'permission']);
    expect(agent.extra).toMatchObject({ mode: 'subagent', temperature: 0.1, permission: { edit: 'deny' } });
  });

  it('detects OpenCode from content when the file is not under .opencode/', async () => {
    const agent = await loadOk('files/opencode-content.md');

    expect(agent.format).toBe('opencode');
    expect(agent.name).toBe('opencode-content');
    expect(agent.model).toMatchObject({ requested: 'anthropic/claude-opus-4-1', resolved: 'claude-opus-5-5' });
    expect(agent.tools.honoured).toEqual(['Read', 'Grep', 'Glob']);
    expect(agent.fields.ignored).toEqual(['mode', 'temperature', 'permission']);
  });

  it('applies glob keys in a tools map in order, the last match winning', async () => {
    const agent = await loadOk('files/tools-map.md');

    expect(agent.format).toBe('opencode');
    expect(agent.tools).toEqual({ honoured: ['Read', 'Glob'], ignored: ['webfetch'] });
  });

  it.each([
    ['.opencode/agent/x.md', undefined, undefined, 'opencode'],
    ['agents/x.md', { read: true }, undefined, 'opencode'],
    ['agents/x.md', 'Read', 'anthropic/claude-sonnet-4-5', 'opencode'],
    ['.claude/agents/x.md', 'Read, Grep', 'sonnet', 'claude-code'],
    ['x.md', ['Read'], undefined, 'claude-code'],
  ])('detectFormat(%s, %j, %s) is %s', (file, tools, model, expected) => {
    expect(detectFormat(file, tools, model)).toBe(expected);
  });
});

describe('parseAgentFile: awkward bytes', () => {
  it('tolerates a UTF-8 byte order mark', async () => {
    const text = await fixture('files/bom.md');
    expect(text.charCodeAt(0)).toBe(0xfeff);

    const agent = await loadOk('files/bom.md');

    expect(agent.name).toBe('bom-agent');
    expect(agent.tools.honoured).toEqual(['Read', 'Grep']);
  });

  it('tolerates CRLF line endings and leaves no carriage return behind', async () => {
    const text = await fixture('files/crlf.md');
    expect(text).toContain('\r\n');

    const agent = await loadOk('files/crlf.md');

    expect(agent.name).toBe('crlf-agent');
    expect(agent.description).toBe('Saved with Windows line endings.');
    expect(agent.instructions).toBe('Line one of the instructions.\nLine two of the instructions.');
    expect(agent.model.resolved).toBe('claude-sonnet-5-5');
  });

  it('reads a UTF-16 file once decoded by the reader', async () => {
    const agent = await loadOk('files/utf16.md');

    expect(agent.name).toBe('utf16-agent');
    expect(agent.instructions).toBe('Instructions in UTF-16.');
  });
});

describe('parseAgentFile: files that must fail', () => {
  it('names the file and the 1-based line of broken YAML', async () => {
    const errors = await loadErrors('files/broken-yaml.md');

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^files\/broken-yaml\.md:5:\d+: invalid YAML frontmatter: /);
  });

  it('counts the line from the top of the file after a BOM and with CRLF', () => {
    const text = '\uFEFF---\r\nname: x\r\ndescription: "open\r\n---\r\nBody\r\n';

    const result = parseAgentFile('a.md', text);

    expect(result).toEqual({
      ok: false,
      file: 'a.md',
      errors: ['a.md:4:1: invalid YAML frontmatter: unexpected end of the stream within a double quoted scalar'],
    });
  });

  it('counts blank lines before the opening delimiter', () => {
    const result = parseAgentFile('b.md', '\n\n---\nname: x\ndescription: d\n  bad: indent\n---\nBody\n');

    expect(result.ok ? [] : result.errors).toEqual(['b.md:6:6: invalid YAML frontmatter: bad indentation of a mapping entry']);
  });

  it('rejects an empty body, naming the line where the body starts', async () => {
    const errors = await loadErrors('files/empty-body.md');

    expect(errors).toEqual(["files/empty-body.md:5: the body is empty; it holds the agent's instructions"]);
  });

  it('rejects frontmatter that is never closed', async () => {
    const errors = await loadErrors('files/unclosed.md');

    expect(errors[0]).toMatch(/^files\/unclosed\.md:1: frontmatter opened with '---' is never closed/);
  });

  it('rejects a file without frontmatter', async () => {
    const errors = await loadErrors('files/no-frontmatter.md');

    expect(errors[0]).toMatch(/^files\/no-frontmatter\.md:1: no YAML frontmatter/);
  });

  it('rejects a missing description, naming the file', async () => {
    const errors = await loadErrors('files/no-description.md');

    expect(errors).toEqual(['files/no-description.md:2: `description` is missing or empty']);
  });

  it('reports each field of the wrong type with its line', async () => {
    const errors = await loadErrors('files/bad-types.md');

    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(expect.stringMatching(/^files\/bad-types\.md:4: `model` must be a string/));
    expect(errors).toContainEqual(expect.stringMatching(/^files\/bad-types\.md:6: `tools` must be a comma-separated string/));
  });

  it('never evaluates JavaScript frontmatter', async () => {
    const errors = await loadErrors('files/js-frontmatter.md');

    expect(errors[0]).toMatch(/^files\/js-frontmatter\.md:1: frontmatter must be YAML/);
    expect((globalThis as Record<string, unknown>)['__bulwarkFixtureRan']).toBeUndefined();
  });

  it('rejects a frontmatter that is a list rather than a mapping', () => {
    const result = parseAgentFile('list.md', '---\n- a\n- b\n---\nBody\n');

    expect(result).toEqual({ ok: false, file: 'list.md', errors: ['list.md:2: frontmatter must be a YAML mapping of keys to values, not a list'] });
  });

  it('fails the same way twice for the same broken text (no cached half-parse)', () => {
    const text = '---\nname: [x\n---\nBody\n';

    const first = parseAgentFile('same.md', text);
    const second = parseAgentFile('same.md', text);

    expect(first.ok).toBe(false);
    expect(second).toEqual(first);
  });
});

describe('parseAgentFile: models and overrides', () => {
  it('resolves an absent model and inherit to the operator default', () => {
    const absent = parseAgentFile('a.md', '---\ndescription: d\n---\nBody\n', { operatorDefaultModel: 'haiku' });
    const inherit = parseAgentFile('b.md', '---\ndescription: d\nmodel: inherit\n---\nBody\n', { operatorDefaultModel: 'opus' });

    expect(absent.ok && absent.agent.model).toEqual({ resolved: 'claude-haiku-5-5' });
    expect(inherit.ok && inherit.agent.model).toEqual({ requested: 'inherit', resolved: 'claude-opus-5-5' });
  });

  it("lets the repo config's model override the file's, and says so", () => {
    const result = parseAgentFile('a.md', '---\ndescription: d\nmodel: opus\n---\nBody\n', { modelOverride: 'haiku' });

    expect(result.ok && result.agent.model.resolved).toBe('claude-haiku-5-5');
    expect(result.ok && result.agent.model.warning).toContain("overrides the agent's 'opus'");
  });

  it('honours disallowedTools', () => {
    const result = parseAgentFile('a.md', '---\ndescription: d\ndisallowedTools: Grep, Write\n---\nBody\n');

    expect(result.ok && result.agent.tools).toEqual({ honoured: ['Read', 'Glob'], ignored: [] });
  });
});
