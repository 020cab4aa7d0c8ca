import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrontmatter } from '../../src/agents/read-frontmatter.js';
import { runAgentsCheck } from '../../src/cli/run-agents-check.js';

// As agents from public collections write it: strict YAML reads `Triggers on: …` as a nested mapping and fails.
const COLLECTION_AGENT = [
  '---',
  'name: privacy-reviewer',
  "description: Reviews data handling. Triggers on: 'GDPR', 'PII', 'consent'",
  'tools: Read, Grep',
  '---',
  'You review how personal data is handled.',
  '',
].join('\n');

describe('frontmatter with ": " inside a one-line value', () => {
  it('loads, reads the value as text, and warns with the file, line and how to fix it', () => {
    const result = readFrontmatter('.claude/agents/privacy.md', COLLECTION_AGENT);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.description).toBe("Reviews data handling. Triggers on: 'GDPR', 'PII', 'consent'");
    expect(result.data.tools).toBe('Read, Grep');
    expect(result.body.trim()).toBe('You review how personal data is handled.');
    expect(result.warnings).toEqual([expect.stringMatching(/^\.claude\/agents\/privacy\.md:3: `description` holds ': '.*read as text.*Quote the value/)]);
  });

  it('still fails any other YAML error with the file and line', () => {
    const broken = ['---', 'name: x', 'tools: [Read, Grep', 'description: d', '---', 'body'].join('\n');
    const result = readFrontmatter('agent.md', broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatch(/^agent\.md:\d+(?::\d+)?: invalid YAML frontmatter/);
  });

  it('is shown by `bulwark agents check`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-agents-'));
    writeFileSync(join(dir, 'privacy.md'), COLLECTION_AGENT);
    let out = '';
    const code = await runAgentsCheck(['privacy.md'], { cwd: dir, stdout: { write: (chunk: string) => (out += chunk) }, stderr: { write: () => true }, env: {} });
    expect(code).toBe(0);
    expect(out).toMatch(/privacy\.md:3: `description` .*quote/i);
  });
});
