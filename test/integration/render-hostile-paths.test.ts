import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitCodeSpans, splitFences } from '../../src/render/markdown-segments.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import type { FakeGitHub, FakeGitHubOptions } from '../helpers/fake-github.js';
import { modelAlways } from '../helpers/fake-model.js';
import { file, openedPayload } from '../helpers/github-stand-in.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, createTestApp, setupNock } from '../helpers/test-app.js';

/** Markdown GitHub renders as prose: everything outside fenced code and code spans. */
function liveProse(markdown: string): string {
  return splitFences(markdown)
    .flatMap((block) => (block.kind === 'fence' ? [] : splitCodeSpans(block.text)))
    .flatMap((segment) => (segment.kind === 'code' ? [] : [segment.text]))
    .join(' ');
}

/** A file name an attacker chose: a backtick to close Bulwark's code span, then a mention, HTML and a link. */
const HOSTILE = 'src/handlers/a`@everyone <img src=https://evil.example/p.png> [x](https://evil.example)`.ts';

describe('file names in what Bulwark writes', () => {
  let github: FakeGitHub;

  beforeEach(() => {
    setupNock();
  });

  afterEach(() => {
    expect(github.unexpected).toEqual([]);
    assertNockDone();
  });

  async function review(options: FakeGitHubOptions, env: Record<string, string> = {}) {
    github = fakeGitHub(options);
    const app = await createTestApp({ env });
    await app.probot.receive({ id: 'delivery-hostile-paths', name: 'pull_request', payload: openedPayload() as never });
    await app.queue.onIdle();
  }

  it('a clipped file is named in a code span, whatever its name holds', async () => {
    const hunk = (index: number) => [`@@ -${index * 100 + 1},1 +${index * 100 + 1},41 @@`, ' keep', ...Array.from({ length: 40 }, (_, line) => `+const v${index}_${line} = "${'x'.repeat(40)}";`)].join('\n');
    modelAlways(() => messageResponse({ summary: 'Reviewed.', findings: [] }));

    await review({ files: [file(HOSTILE, Array.from({ length: 20 }, (_, index) => hunk(index)).join('\n'))] }, { BULWARK_CHUNK_TOKENS: '4000' });

    const summary = (github.check().output as { summary: string }).summary;
    expect(summary).toContain('Clipped to fit the budget: ');
    expect(summary).toContain(`\`\`${HOSTILE}\`\``);
    const prose = liveProse(summary);
    expect(prose).not.toMatch(/@everyone|<img|\]\(|https:/);
  });
});
