import { describe, expect, it } from 'vitest';
import type { ReviewModel } from '../../src/ports/review-model.js';
import { isSupersededError, stopWhenSuperseded, SupersededError } from '../../src/review/stop-when-superseded.js';
import { buildRunner, fixtureJob, fixturePullRequest, jobControl } from '../helpers/build-runner.js';
import { fakeReviewModel } from '../helpers/fake-review-model.js';

const request = { model: 'claude-sonnet-5-5', system: 'agent', user: 'diff', maxOutputTokens: 100 };

/** A route file whose patch adds `lines` lines: one fills most of a chunk of BULWARK_CHUNK_TOKENS=1500. */
function bigFile(index: number, lines = 45) {
  const added = Array.from({ length: lines }, (_, line) => `+  const value${line} = await db.query('select ${line} from t${index}');`);
  return { path: `src/server/routes/route${index}.ts`, status: 'modified' as const, additions: lines, deletions: 0, patch: [`@@ -1,1 +1,${lines + 1} @@`, ' export async function handler() {', ...added].join('\n') };
}

describe('stopWhenSuperseded', () => {
  it('lets calls through until a newer head is queued, then refuses every call not yet started', async () => {
    let superseded = false;
    const model = fakeReviewModel();
    const guarded = stopWhenSuperseded(model, fixtureJob(), { isSuperseded: async () => superseded });

    await guarded.review(request);
    superseded = true;
    const refused = await guarded.review(request).catch((error: unknown) => error);
    superseded = false;
    const stillRefused = await guarded.review(request).catch((error: unknown) => error);

    expect(model.requests).toHaveLength(1);
    expect(refused).toBeInstanceOf(SupersededError);
    // Once superseded, always: the queue is not asked again.
    expect(isSupersededError(stillRefused)).toBe(true);
  });

  it('guards verification too, and passes everything else the model offers through as it is', async () => {
    const verified: string[] = [];
    const model: ReviewModel = {
      ...fakeReviewModel(),
      verify: async (asked) => {
        verified.push(asked.user);
        return { output: { scores: [] }, usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 }, model: asked.model };
      },
      countTokens: async ({ text }) => text.length,
    };
    let superseded = false;
    const guarded = stopWhenSuperseded(model, fixtureJob(), { isSuperseded: async () => superseded });

    await guarded.verify!(request);
    superseded = true;

    await expect(guarded.verify!(request)).rejects.toThrow(SupersededError);
    expect(await guarded.countTokens!({ model: 'm', text: 'four' })).toBe(4);
    expect(verified).toEqual(['diff']);
  });

  it('never guards a command: it reviews whatever head the pull request has', async () => {
    let asked = 0;
    const model = fakeReviewModel();
    const command = fixtureJob({ headSha: '', trigger: 'command', run: 'comment-1', requestedBy: 'maintainer', command: { kind: 'review', commentId: 1 } });

    const guarded = stopWhenSuperseded(model, command, { isSuperseded: async () => (asked += 1) > 0 });
    await guarded.review(request);

    expect(guarded).toBe(model);
    expect(asked).toBe(0);
  });
});

describe('a running review superseded between chunks', () => {
  const files = [bigFile(1), bigFile(2), bigFile(3), bigFile(4)];
  const env = { BULWARK_CHUNK_TOKENS: '1500', BULWARK_MODEL_CONCURRENCY: '1' };

  it('asks the model for no chunk after the newer head is queued, and completes its check skipped, saying so', async () => {
    const { run, host, model } = buildRunner({ host: { pullRequests: [{ info: fixturePullRequest({ changedFiles: files.length }), files }] }, env });
    const control = jobControl({ isSuperseded: async () => model.requests.length >= 1 });

    await run(fixtureJob(), control);

    expect(model.requests).toHaveLength(1);
    expect(host.reviews).toHaveLength(0);
    const check = host.check();
    expect(check).toMatchObject({ status: 'completed', conclusion: 'skipped' });
    expect(check.output?.title).toMatch(/Superseded by a newer push/);
  });

  it('the same pull request, never superseded, is asked chunk by chunk (the test above stops early)', async () => {
    const { run, host, model } = buildRunner({ host: { pullRequests: [{ info: fixturePullRequest({ changedFiles: files.length }), files }] }, env });

    await run(fixtureJob(), jobControl());

    expect(model.requests.length).toBeGreaterThanOrEqual(3);
    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('superseded before its first model call: no call at all, and the check says superseded', async () => {
    const { run, host, model } = buildRunner({ host: { pullRequests: [{ info: fixturePullRequest({ changedFiles: files.length }), files }] }, env });

    await run(fixtureJob(), jobControl({ isSuperseded: async () => true }));

    expect(model.requests).toHaveLength(0);
    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'skipped' });
    expect(host.check().output?.title).toMatch(/Superseded by a newer push/);
  });
});
