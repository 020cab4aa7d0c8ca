import type { JobQueue } from '../../ports/job-queue.js';
import { isRetryLater } from '../../ports/job-queue.js';
import type { Metrics } from './metrics.js';

/** Counts what passes through any queue implementation: queued, duplicates, running, outcomes and durations. */
export function instrumentQueue(queue: JobQueue, metrics: Metrics): JobQueue {
  return {
    ...queue,
    async enqueue(job) {
      const result = await queue.enqueue(job);
      metrics.jobs.inc({ outcome: result.queued ? 'queued' : 'duplicate' });
      return result;
    },
    start(handler, onGiveUp) {
      queue.start(async (job, control) => {
        metrics.jobsActive.inc();
        const stop = metrics.reviewDuration.startTimer();
        try {
          await handler(job, control);
          metrics.jobs.inc({ outcome: 'completed' });
        } catch (error) {
          metrics.jobs.inc({ outcome: isRetryLater(error) ? 'retried' : 'failed' });
          throw error;
        } finally {
          stop();
          metrics.jobsActive.dec();
        }
      }, onGiveUp);
    },
    close: (timeoutMs) => queue.close(timeoutMs),
    onIdle: () => queue.onIdle(),
    healthy: () => queue.healthy(),
  };
}
