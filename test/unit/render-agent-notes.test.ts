import { describe, expect, it } from 'vitest';
import type { LoadedAgent } from '../../src/agents/types.js';
import { splitCodeSpans } from '../../src/render/markdown-segments.js';
import { agentNotes } from '../../src/render/agent-notes.js';

/** What a name in the team's agent file can hold: a backtick to close Bulwark's span, then a mention and a link. */
const HOSTILE = 'x` @everyone [y](https://evil.example) `z';

function agent(overrides: Partial<LoadedAgent> = {}): LoadedAgent {
  return {
    file: `.claude/agents/${HOSTILE}.md`,
    format: 'claude-code',
    name: HOSTILE,
    description: '',
    instructions: '',
    model: { requested: HOSTILE, resolved: 'claude-test', warning: `unknown model id '${HOSTILE}', passed through as is` },
    tools: { honoured: [], ignored: [HOSTILE] },
    skills: { requested: [], found: [{ name: HOSTILE, description: '', source: 's', body: '' }], missing: [HOSTILE] },
    fields: { honoured: [], ignored: [] },
    warnings: [`${HOSTILE}: ignored`],
    ...overrides,
  };
}

const prose = (markdown: string) => splitCodeSpans(markdown).flatMap((segment) => (segment.kind === 'code' ? [] : [segment.text])).join(' ');

describe('agentNotes', () => {
  it('names the agent, its file, models, skills and tools in code spans', () => {
    const [first] = agentNotes(agent());
    expect(first).toBe(`Agent \`\`${HOSTILE}\`\` from \`\`.claude/agents/${HOSTILE}.md\`\` (claude-code); model \`claude-test\` (asked for \`\`${HOSTILE}\`\`); skills: \`\`${HOSTILE}\`\`.`);
  });

  it('leaves no mention or link live in any note, warnings included', () => {
    for (const note of agentNotes(agent())) {
      expect(prose(note)).not.toMatch(/@everyone|\]\(|https:/);
    }
  });
});
