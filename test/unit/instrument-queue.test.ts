import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import { instrumentQueue } from '../../src/adapters/metrics/instrument-queue.js';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';
import type { JobQueue } from '../../src/ports/job-queue.js';
import { commandJob, gate, queueJob, repoJob, sleep } from '../contract/job-queue-contract.js';

const log = pino({ level: 'silent' });
const open: JobQueue[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close(200)));
});

/** The value of one sample of the Prometheus text, e.g. `bulwark_queue_depth{kind="command"}`; undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('/metrics of the queue', () => {
  it('shows the jobs waiting by kind at each scrape, how long they waited before they started, superseded drops and cap holds', async () => {
    const metrics = createMetrics();
    const queue = instrumentQueue(createMemoryQueue({ concurrency: 2, caps: { perRepository: 1, perInstallation: 0 }, log }), metrics);
    open.push(queue);
    const release = gate();
    queue.start(async (received) => {
      if (received.repo === 'busy' && received.pullNumber === 1) await release.promise;
    });

    await queue.enqueue(repoJob('busy', 1));
    await sleep(20);
    await queue.enqueue(repoJob('busy', 2));
    await queue.enqueue(commandJob(3, 7, 'busy'));
    await queue.enqueue(queueJob('old', 9));
    await queue.enqueue(queueJob('new', 9));
    await sleep(20);
    const during = await metrics.registry.metrics();
    await sleep(100);
    release.open();
    await queue.onIdle();
    const after = await metrics.registry.metrics();

    // busy#2 and the command wait for busy's one slot; r#9's newer head runs (another repository) and its older one was dropped.
    expect(sample(during, 'bulwark_queue_depth{kind="command"}')).toBe(1);
    expect(sample(during, 'bulwark_queue_depth{kind="automatic"}')).toBe(1);
    expect(sample(after, 'bulwark_queue_depth{kind="command"}')).toBe(0);
    expect(sample(after, 'bulwark_queue_depth{kind="automatic"}')).toBe(0);
    expect(sample(after, 'bulwark_jobs_superseded_total{kind="automatic"}')).toBe(1);
    expect(sample(after, 'bulwark_jobs_held_back_total{kind="automatic",cap="repository"}')).toBe(1);
    expect(sample(after, 'bulwark_jobs_held_back_total{kind="command",cap="repository"}')).toBe(1);
    expect(sample(after, 'bulwark_queue_wait_seconds_count{kind="automatic"}')).toBe(3);
    expect(sample(after, 'bulwark_queue_wait_seconds_count{kind="command"}')).toBe(1);
    // The command waited out busy#1 (held >= 100 ms), then ran before busy#2, queued earlier.
    expect(sample(after, 'bulwark_queue_wait_seconds_bucket{le="0.1",kind="command"}')).toBe(0);
    expect(sample(after, 'bulwark_queue_wait_seconds_bucket{le="0.5",kind="command"}')).toBe(1);
    expect(sample(after, 'bulwark_jobs_total{outcome="completed"}')).toBe(4);
  });

  it('reports no depth for a queue that cannot tell it, and a scrape never fails because the queue is away', async () => {
    const metrics = createMetrics();
    const failing: JobQueue = { ...createMemoryQueue({ concurrency: 1, log }), waiting: () => Promise.reject(new Error('Redis is away')) };
    open.push(failing);
    instrumentQueue(failing, metrics);

    const text = await metrics.registry.metrics();

    expect(text).toContain('# TYPE bulwark_queue_depth gauge');
    expect(text).not.toMatch(/^bulwark_queue_depth\{/m);
  });
});
