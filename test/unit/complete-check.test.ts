import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeCheck } from '../../src/jobs/complete-check.js';
import type { CheckRunCompletion, PullRequestHost } from '../../src/ports/pull-request-host.js';
import type { ReviewOutcome } from '../../src/review/review-outcome.js';
import type { AnchoredFinding, ReviewResult } from '../../src/review/types.js';

const ref = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 2 };
const src = new URL('../../src/', import.meta.url);

/** Every .ts file under src/, with its path relative to src/. */
function sources(dir = ''): { path: string; text: string }[] {
  return readdirSync(new URL(dir, src), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) return sources(`${path}/`);
    return path.endsWith('.ts') ? [{ path, text: readFileSync(new URL(path, src), 'utf8') }] : [];
  });
}

function recordingHost() {
  const calls: { kind: 'update' | 'complete'; body: unknown }[] = [];
  const host = {
    updateCheckRun: async (_ref: unknown, _id: number, body: unknown) => {
      calls.push({ kind: 'update', body });
    },
    completeCheckRun: async (_ref: unknown, _id: number, body: CheckRunCompletion) => {
      calls.push({ kind: 'complete', body });
    },
  } as unknown as PullRequestHost;
  return { host, calls };
}

const finding = (line: number): AnchoredFinding =>
  ({ severity: 'medium', category: 'reliability', title: `Finding ${line}`, body: 'Why.', path: 'src/a.ts', line, side: 'RIGHT', changed: true }) as AnchoredFinding;

function reviewed(inline: AnchoredFinding[]): ReviewOutcome {
  const result = {
    headSha: 'a'.repeat(40), summary: 'Done.', checklist: [], inline, overflow: [], unanchored: [], belowThreshold: 0, invalidFindings: 0,
    reviewedFiles: ['src/a.ts'], skipped: [], agent: { name: 'backend-specialist', source: 'bundled' }, model: 'claude-sonnet-5-5',
  } as unknown as ReviewResult;
  return {
    kind: 'reviewed', result, conclusion: 'neutral', partial: false, unlisted: 0, durationMs: 1000,
    ledger: { model: 'claude-sonnet-5-5', usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 }, filesReviewed: 1, filesSkipped: 0, durationMs: 1000, chunks: 1, usd: 0 },
    notes: { scope: { kind: 'first' }, changedFiles: 1, listed: 1, failedFiles: 0, firstError: undefined, countNote: undefined, kept: 0, asked: 1, contextTooLargeBytes: undefined, clipped: [], repeats: 0, resolved: 0, secretsMasked: 0, agent: [] },
  };
}

describe('completeCheck: the one place a check run is completed', () => {
  it('is the only module under src/ that completes a check run, and the pipeline takes no completion callback', () => {
    // Adapters and decorators that implement the host port forward the call; every other caller is a completion.
    const implementsHost = (text: string) => /\bcompleteCheckRun\s*(?::|\()\s*async|\basync\s+completeCheckRun\s*\(/.test(text);
    const completing = sources()
      .filter(({ text }) => /\.completeCheckRun\(/.test(text) && !implementsHost(text))
      .map(({ path }) => path);
    expect(completing).toEqual(['jobs/complete-check.ts']);
    const pipeline = readFileSync(new URL('jobs/review-pull-request.ts', src), 'utf8');
    expect(pipeline).not.toMatch(/\bcomplete\s*[:(]/);
  });

  it('jobs/ keeps no cycle: the budget check does not import the pipeline', () => {
    const budget = readFileSync(new URL('jobs/daily-budget.ts', src), 'utf8');
    expect(budget).not.toMatch(/from '\.\/review-pull-request\.js'/);
  });

  it('completes a skip with its conclusion and the Re-review button, in one request', async () => {
    const { host, calls } = recordingHost();
    await completeCheck(host, ref, 7, { kind: 'skipped', why: { kind: 'draft' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'complete', body: { conclusion: 'skipped', output: { title: 'Review skipped: Draft pull request' }, actions: [{ identifier: 'rereview' }] } });
  });

  it('hands the host the whole completion, every annotation included (the host sends them as GitHub takes them)', async () => {
    const { host, calls } = recordingHost();
    await completeCheck(host, ref, 7, reviewed(Array.from({ length: 120 }, (_, index) => finding(index + 1))));
    expect(calls.map((call) => call.kind)).toEqual(['complete']);
    expect((calls[0]!.body as CheckRunCompletion).output.annotations).toHaveLength(120);
  });
});
