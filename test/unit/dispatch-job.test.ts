import { describe, expect, it } from 'vitest';
import { dispatchGiveUp, dispatchJob } from '../../src/conversation/dispatch-job.js';
import type { CommandKind, ReviewJob } from '../../src/ports/job-queue.js';
import { coalesceKey } from '../../src/ports/job-queue.js';
import { jobControl, silentLogger } from '../helpers/build-runner.js';

function job(kind?: CommandKind): ReviewJob {
  return {
    installationId: 1,
    owner: 'o',
    repo: 'r',
    pullNumber: 2,
    headSha: kind ? '' : 'abc',
    trigger: kind ? 'command' : 'opened',
    full: kind === 'full',
    deliveryId: 'd',
    run: kind ? 'comment-9' : 'auto',
    requestedBy: 'maintainer',
    ...(kind ? { command: { kind, commentId: 9 } } : {}),
  };
}

function recordingRunners() {
  const ran: string[] = [];
  const dispatch = dispatchJob({
    review: async (queued) => void ran.push(`review:${queued.command?.kind ?? queued.trigger}`),
    conversation: async (queued) => void ran.push(`conversation:${queued.command?.kind}`),
  });
  return { ran, dispatch };
}

describe('dispatchJob', () => {
  it.each<[CommandKind | undefined, string]>([
    [undefined, 'review:opened'],
    ['review', 'review:review'],
    ['full', 'review:full'],
    ['describe', 'review:describe'],
    ['help', 'review:help'],
    ['ask', 'conversation:ask'],
    ['pause', 'conversation:pause'],
    ['resume', 'conversation:resume'],
    ['learn', 'conversation:learn'],
    ['learnings', 'conversation:learnings'],
    ['forget', 'conversation:forget'],
    ['answer', 'conversation:answer'],
  ])('sends a %s job to its runner', async (kind, expected) => {
    const { ran, dispatch } = recordingRunners();

    await dispatch(job(kind), jobControl());

    expect(ran).toEqual([expected]);
  });

  it('completes check runs only for review jobs it gives up on', async () => {
    const given: string[] = [];
    const giveUp = dispatchGiveUp(async (queued) => void given.push(queued.command?.kind ?? queued.trigger), silentLogger);

    await giveUp(job('pause'), { kind: 'shutdown' });
    await giveUp(job('answer'), { kind: 'stalled' });
    await giveUp(job('full'), { kind: 'shutdown' });
    await giveUp(job(), { kind: 'shutdown' });

    expect(given).toEqual(['full', 'opened']);
  });
});

describe('coalesceKey of commands', () => {
  it.each<CommandKind>(['ask', 'answer', 'learn', 'forget'])('keeps every %s its own job', (kind) => {
    expect(coalesceKey(job(kind))).toBeUndefined();
  });

  it.each<CommandKind>(['review', 'full', 'describe', 'help', 'pause', 'resume', 'learnings'])('joins a repeated %s by the same person', (kind) => {
    const key = coalesceKey(job(kind));
    expect(key).toBeDefined();
    expect(key).toBe(coalesceKey({ ...job(kind), command: { kind, commentId: 10 } }));
    expect(key).not.toBe(coalesceKey({ ...job(kind), requestedBy: 'someone-else' }));
  });
});
