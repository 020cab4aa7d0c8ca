import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledDir, createFsReader, decodeText } from '../../src/adapters/agents/fs-reader.js';

const root = fileURLToPath(new URL('../fixtures/agents/repo-claude/', import.meta.url));

describe('createFsReader', () => {
  it('reads files relative to its root and lists a folder', async () => {
    const reader = createFsReader(root);

    expect(await reader.read('.claude/skills/team-conventions/SKILL.md')).toContain('TEAM-1');
    expect(await reader.list('.claude/agents')).toEqual(['backend-specialist.md', 'notes.md', 'security-auditor.md']);
  });

  it('answers undefined and [] for what does not exist', async () => {
    const reader = createFsReader(root);

    expect(await reader.read('.claude/agents/nope.md')).toBeUndefined();
    expect(await reader.read('.claude/agents')).toBeUndefined();
    expect(await reader.list('.opencode/agent')).toEqual([]);
  });

  it('refuses paths that leave its root', async () => {
    const reader = createFsReader(`${root}.claude/agents`);

    expect(await reader.read('../skills/team-conventions/SKILL.md')).toBeUndefined();
    expect(await reader.read('/etc/hostname')).toBeUndefined();
    expect(await reader.list('..')).toEqual([]);
  });

  it('lists only files, not folders', async () => {
    expect(await createFsReader(root).list('.claude/skills')).toEqual([]);
  });
});

describe('bundledDir', () => {
  it("points at the package's agents folder", async () => {
    expect(await createFsReader(bundledDir()).list('')).toContain('backend-specialist.md');
  });
});

describe('decodeText', () => {
  it.each([
    ['UTF-8', Uint8Array.from([0x61, 0xc3, 0xa9]), 'aé'],
    ['UTF-8 with a BOM', Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'a'],
    ['UTF-16 LE with a BOM', Uint8Array.from([0xff, 0xfe, 0x61, 0x00, 0xe9, 0x00]), 'aé'],
    ['UTF-16 BE with a BOM', Uint8Array.from([0xfe, 0xff, 0x00, 0x61, 0x00, 0xe9]), 'aé'],
  ])('decodes %s', (_name, bytes, expected) => {
    expect(decodeText(bytes)).toBe(expected);
  });
});
