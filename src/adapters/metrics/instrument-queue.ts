import type { JobQueue } from '../../ports/job-queue.js';
import { isRetryLater } from '../../ports/job-queue.js';
import type { Metrics } from './metrics.js';

/**
 * Counts what passes through any queue implementation: queued, duplicates, running, outcomes and durations; and
 * what the queue tells of itself: jobs waiting by kind, their wait before they start, the superseded ones dropped
 * and the ones a cap held back.
 */
export function instrumentQueue(queue: JobQueue, metrics: Metrics): JobQueue {
  queue.observe?.({
    started: (kind, waitedMs) => metrics.queueWait.observe({ kind }, Math.max(0, waitedMs) / 1000),
    superseded: (kind) => metrics.jobsSuperseded.inc({ kind }),
    heldBack: (kind, cap) => metrics.jobsHeldBack.inc({ kind, cap }),
  });
  const waiting = queue.waiting?.bind(queue);
  if (waiting) metrics.readQueueDepth(waiting);
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
