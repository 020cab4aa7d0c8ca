import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMemoryPullRequestHost } from '../../src/adapters/memory/memory-pull-request-host.js';
import { checkRunWaitNotice } from '../../src/adapters/rate-limit/check-run-wait-notice.js';
import type { PullRequestRef } from '../../src/ports/pull-request-host.js';
import type { RateLimitWait } from '../../src/ports/rate-limiter.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { recordingLogger } from '../helpers/test-app.js';

const REF: PullRequestRef = { installationId: 1, owner: 'acme', repo: 'api', pullNumber: 7 };
const HEAD = 'abcdef0123456789abcdef0123456789abcdef01';
const UNTIL = Date.parse('2026-11-22T03:00:41Z');
const WAIT: RateLimitWait = { model: 'claude-sonnet-5-5', reason: 'requests', until: UNTIL, waitMs: 35_000 };

async function withCheckRun() {
  const host = createMemoryPullRequestHost();
  const { id } = await host.createCheckRun(REF, { name: 'Bulwark', headSha: HEAD, externalId: 'job', output: { title: 'Review in progress', summary: 'Bulwark is reviewing `abcdef0`.' } });
  return { host, id };
}

describe('checkRunWaitNotice', () => {
  it('says on the check run that the review waits for capacity, then goes back to in progress', async () => {
    const { host, id } = await withCheckRun();
    const notice = checkRunWaitNotice({ host, ref: REF, checkRunId: id, headSha: HEAD, log: pino({ level: 'silent' }) });

    await notice.waiting(WAIT);
    const during = host.check().output;
    await notice.resumed(WAIT);

    expect(during?.title).toBe('Review in progress: waiting for model capacity');
    expect(during?.summary).toContain('waiting for capacity');
    expect(during?.summary).toContain("the model provider's limit on requests for `claude-sonnet-5-5` is nearly spent");
    expect(during?.summary).toContain('at about 03:00:41 UTC (in 35 s)');
    expect(host.check().output).toEqual({ title: 'Review in progress', summary: 'Bulwark is reviewing `abcdef0`.' });
  });

  it('writes once for calls that wait together, and goes back only when the last one goes on', async () => {
    const { host, id } = await withCheckRun();
    const notice = checkRunWaitNotice({ host, ref: REF, checkRunId: id, headSha: HEAD, log: pino({ level: 'silent' }) });

    await Promise.all([notice.waiting(WAIT), notice.waiting(WAIT), notice.waiting({ ...WAIT, reason: 'retry-after' })]);
    await notice.resumed(WAIT);
    await notice.resumed(WAIT);
    const stillWaiting = host.check().output?.title;
    await notice.resumed(WAIT);

    expect(stillWaiting).toBe('Review in progress: waiting for model capacity');
    expect(host.calls.filter((call) => call === 'updateCheckRun')).toHaveLength(2);
    expect(host.check().output?.title).toBe('Review in progress');
  });

  it('does not write for a wait too short to notice (under 2 s)', async () => {
    const { host, id } = await withCheckRun();
    const notice = checkRunWaitNotice({ host, ref: REF, checkRunId: id, headSha: HEAD, log: pino({ level: 'silent' }) });

    await notice.waiting({ ...WAIT, waitMs: 1999 });
    await notice.resumed(WAIT);

    expect(host.calls).not.toContain('updateCheckRun');
  });

  it('logs a failed write and lets the review go on', async () => {
    const { host, id } = await withCheckRun();
    host.fail('updateCheckRun', new ServiceError('github', 'GitHub updating the check run failed (502)', { retryable: true }));
    const { log, lines } = recordingLogger('warn');
    const notice = checkRunWaitNotice({ host, ref: REF, checkRunId: id, headSha: HEAD, log });

    await notice.waiting(WAIT);
    await notice.resumed(WAIT);

    expect(lines.map((line) => line.msg)).toEqual(['could not update the check run about a rate-limit wait']);
    expect(host.check().output?.title).toBe('Review in progress');
  });

  it('names a model id from a repository config as code, so it cannot inject markdown', async () => {
    const { host, id } = await withCheckRun();
    const notice = checkRunWaitNotice({ host, ref: REF, checkRunId: id, headSha: HEAD, log: pino({ level: 'silent' }) });

    await notice.waiting({ ...WAIT, model: 'x` @everyone <img src=x>' });

    // A code span whose delimiter is longer than any backtick run inside: the mention and the tag stay text.
    expect(host.check().output?.summary).toContain('for ``x` @everyone <img src=x>`` is nearly spent');
  });
});
