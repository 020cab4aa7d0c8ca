import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledDir, createFsReader } from '../../src/adapters/agents/fs-reader.js';
import { discoverAgent } from '../../src/agents/discover-agent.js';
import { loadOpenCodeAgent, parseOpenCodeConfig } from '../../src/agents/parse-opencode-json.js';
import type { LoadResult } from '../../src/agents/types.js';
import { repoWith } from '../helpers/temp-repo.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/agents/repo-opencode-json/', import.meta.url));
const bundled = createFsReader(bundledDir());

/** The one agent of `opencode.json` (its `agent` map) in a repository of `files`, loaded. */
async function loadOnly(config: unknown, files: Record<string, string> = {}, file = 'opencode.json'): Promise<LoadResult> {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  const root = repoWith({ [file]: text, ...files });
  const parsed = parseOpenCodeConfig(file, text);
  expect(parsed.ok).toBe(true);
  expect(parsed.agents).toHaveLength(1);
  return loadOpenCodeAgent({ file, path: file, repo: createFsReader(root) }, parsed.agents[0]!, { operatorDefaultModel: 'sonnet' });
}

const errorsOf = (result: LoadResult) => (result.ok ? [] : result.errors);

describe('parseOpenCodeConfig', () => {
  it('reads JSON with comments and trailing commas, and lists the agent map with the line of each entry', () => {
    const text = ['{', '  // reviewers', '  "agent": {', '    "one": { "description": "x", "prompt": "y", },', '    "two": {', '      "prompt": "z",', '    },', '  },', '}'].join('\n');
    const parsed = parseOpenCodeConfig('opencode.json', text);

    expect(parsed.ok).toBe(true);
    expect(parsed.agents.map((entry) => [entry.name, entry.line])).toEqual([['one', 4], ['two', 5]]);
    expect(parsed.agents[1]!.keyLines).toEqual({ prompt: 6 });
    expect(parsed.agents[0]!.value).toEqual({ description: 'x', prompt: 'y' });
  });

  it('a file without an agent map has no agents; a BOM is not an error', () => {
    expect(parseOpenCodeConfig('opencode.json', '\uFEFF{ "model": "anthropic/claude-sonnet-4-5" }')).toEqual({ ok: true, file: 'opencode.json', agents: [] });
  });

  it('bad JSON fails with the line and column of each error, keeping what could be read', () => {
    const text = ['{', '  "agent": {', '    "one": { "description": "x" "prompt": "y" }', '  }', '}'].join('\n');
    const parsed = parseOpenCodeConfig('opencode.json', text);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors[0]).toBe('opencode.json:3:33: invalid JSON: comma expected');
    expect(parsed.agents.map((entry) => entry.name)).toEqual(['one']);
  });

  it('an agent map that is not an object, or a file that is not an object, fails', () => {
    expect(parseOpenCodeConfig('opencode.json', '{\n  "agent": ["a"]\n}')).toMatchObject({ ok: false, errors: ['opencode.json:2: `agent` must be an object mapping agent names to their settings'] });
    expect(parseOpenCodeConfig('opencode.json', '[]')).toMatchObject({ ok: false, errors: [expect.stringContaining('not a JSON object')] });
  });
});

describe('loadOpenCodeAgent', () => {
  it('an inline prompt, an OpenCode model id and a tools map load as a markdown agent would', async () => {
    const result = await loadOnly({
      agent: {
        reviewer: {
          description: 'Reviews the API.',
          prompt: 'Review the handlers. INLINE.',
          model: 'anthropic/claude-haiku-4-5',
          tools: { read: true, glob: false, bash: true, write: false },
          mode: 'subagent',
          temperature: 0.2,
          skills: 'backend-standards, api-design',
        },
      },
    });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { agent } = result;
    expect(agent).toMatchObject({ file: 'opencode.json#agent.reviewer', format: 'opencode', name: 'reviewer', description: 'Reviews the API.', instructions: 'Review the handlers. INLINE.' });
    expect(agent.model).toMatchObject({ requested: 'anthropic/claude-haiku-4-5', resolved: 'claude-haiku-5-5' });
    // A map switches tools over a default of on: Grep stays, Glob is off, bash is asked for and never run.
    expect(agent.tools).toEqual({ honoured: ['Read', 'Grep'], ignored: ['bash'] });
    expect(agent.skills.requested).toEqual(['backend-standards', 'api-design']);
    expect(agent.fields).toEqual({ honoured: ['description', 'prompt', 'model', 'tools', 'skills'], ignored: ['mode', 'temperature'] });
    expect(agent.warnings).toEqual([]);
  });

  it('reads a {file:…} prompt relative to the config file’s folder, trimmed', async () => {
    const config = { agent: { reviewer: { description: 'd', prompt: 'Start.\n{file:./prompts/review.md}\nEnd.' } } };
    const result = await loadOnly(config, { '.opencode/prompts/review.md': '\n  FROM-THE-FILE  \n' }, '.opencode/opencode.json');

    expect(result.ok && result.agent.instructions).toBe('Start.\nFROM-THE-FILE\nEnd.');
  });

  it('a prompt file that does not exist fails with the line of `prompt` and the path looked for', async () => {
    const text = ['{', '  "agent": {', '    "reviewer": {', '      "description": "d",', '      "prompt": "{file:./prompts/missing.md}"', '    }', '  }', '}'].join('\n');
    const result = await loadOnly(text);

    expect(errorsOf(result)).toEqual(['opencode.json:5: agent `reviewer`: `prompt` refers to {file:./prompts/missing.md}, but prompts/missing.md does not exist']);
  });

  it('a prompt file outside the repository, or one that holds secrets by nature, is never read', async () => {
    for (const reference of ['{file:../outside.md}', '{file:~/notes.md}', '{file:/etc/hostname}']) {
      const result = await loadOnly({ agent: { reviewer: { description: 'd', prompt: reference } } });
      expect(errorsOf(result)[0]).toMatch(/outside the repository/);
    }
    const secret = await loadOnly({ agent: { reviewer: { description: 'd', prompt: '{file:.env}' } } }, { '.env': 'DB_PASSWORD=hunter2' });
    expect(errorsOf(secret)[0]).toMatch(/holds secrets by nature/);
    expect(JSON.stringify(secret)).not.toContain('hunter2');
  });

  it('bad input fails with the field, its line and what it must be', async () => {
    const tools = await loadOnly('{\n  "agent": {\n    "r": {\n      "description": "d",\n      "prompt": "p",\n      "tools": ["read"]\n    }\n  }\n}');
    expect(errorsOf(tools)).toEqual(['opencode.json:6: agent `r`: `tools` must be a map of tool names to true or false']);

    expect(errorsOf(await loadOnly({ agent: { r: { prompt: 'p' } } }))).toEqual([expect.stringMatching(/`description` is missing or empty/)]);
    expect(errorsOf(await loadOnly({ agent: { r: { description: 'd' } } }))).toEqual([expect.stringMatching(/`prompt` is missing or empty/)]);
    expect(errorsOf(await loadOnly({ agent: { r: { description: 'd', prompt: 'p', model: 5 } } }))).toEqual([expect.stringMatching(/`model` must be a string/)]);
    expect(errorsOf(await loadOnly({ agent: { r: 'just a string' } }))).toEqual([expect.stringMatching(/agent `r` must be an object/)]);
  });

  it('warns of tools OpenCode does not know and of {env:…}, which is never filled in from the App’s environment', async () => {
    const result = await loadOnly({ agent: { r: { description: 'd', prompt: 'Key: {env:ANTHROPIC_API_KEY}', tools: { raed: false, 'mcp_*': false } } } });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.agent.instructions).toBe('Key: {env:ANTHROPIC_API_KEY}');
    expect(result.agent.warnings).toEqual([
      expect.stringMatching(/`\{env:ANTHROPIC_API_KEY\}` in `prompt` is left as written/),
      expect.stringMatching(/tool `raed` is not one of OpenCode's own tools/),
    ]);
  });
});

describe('discoverAgent with opencode.json', () => {
  const fixture = createFsReader(FIXTURE);
  const base = { bundled, operatorDefaultModel: 'sonnet' };

  it('uses the JSON agent named backend-specialist when no agent file defines one: prompt file, model, tools, skills', async () => {
    const result = await discoverAgent({ ...base, repo: fixture });

    expect(result.source).toBe('repo');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.agent.file).toBe('opencode.json#agent.backend-specialist');
    expect(result.agent.instructions).toContain('JSON-PROMPT-FILE-BODY');
    expect(result.agent.model.resolved).toBe('claude-haiku-5-5');
    expect(result.agent.tools).toEqual({ honoured: ['Read', 'Grep'], ignored: ['bash'] });
    expect(result.agent.skills.found.map((skill) => skill.source)).toEqual(['.claude/skills/payments-rules/SKILL.md', 'bundled:agents/skills/security-checklist.md']);
  });

  it('finds an agent of .opencode/opencode.jsonc by the name the repo config gives, passing over a disabled one', async () => {
    const nested = await discoverAgent({ ...base, repo: fixture, name: 'Nested' });
    expect(nested.ok && nested.agent.instructions).toBe('NESTED-PROMPT: check every query for an index.');

    const off = await discoverAgent({ ...base, repo: fixture, name: 'switched-off' });
    expect(off).toMatchObject({ ok: false, source: 'none' });
    expect(off.notes).toEqual(['.opencode/opencode.jsonc#agent.switched-off is disabled (`disable: true`); not used']);
  });

  it('an agent file of the same name wins over the JSON agent, as in OpenCode', async () => {
    const root = repoWith({
      'opencode.json': JSON.stringify({ agent: { 'backend-specialist': { description: 'JSON one.', prompt: 'JSON.' } } }),
      '.opencode/agent/backend-specialist.md': '---\ndescription: Markdown one.\n---\nMARKDOWN.',
    });
    const result = await discoverAgent({ ...base, repo: createFsReader(root) });

    expect(result.ok && result.agent.file).toBe('.opencode/agent/backend-specialist.md');
  });

  it('a broken opencode.json that still names the agent is that agent’s failure; one that does not is a note', async () => {
    const broken = '{ "agent": { "backend-specialist": { "description": "d" "prompt": "p" } } }';
    const named = await discoverAgent({ ...base, repo: createFsReader(repoWith({ 'opencode.json': broken })) });
    expect(named).toMatchObject({ ok: false, source: 'repo', file: 'opencode.json#agent.backend-specialist', errors: ['opencode.json:1:57: invalid JSON: comma expected'] });

    const other = await discoverAgent({ ...base, repo: createFsReader(repoWith({ 'opencode.json': broken.replace('backend-specialist', 'other') })) });
    expect(other).toMatchObject({ ok: true, source: 'bundled' });
    expect(other.notes).toEqual([expect.stringMatching(/^opencode\.json was skipped: opencode\.json:1:44: invalid JSON/)]);
  });
});

