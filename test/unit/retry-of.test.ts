import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/ports/service-error.js';
import { retryOf } from '../../src/review/retry-of.js';

const limited = new ServiceError('github', 'rate limited', { retryable: true, status: 403, retryAfterMs: 30_000 });

describe('retryOf', () => {
  it('retries a passing failure while attempts remain, no sooner than the service asked', () => {
    const retry = retryOf(limited, { attempt: 1, maxAttempts: 3 }, 'retryable failure');
    expect(retry).toMatchObject({ message: 'retryable failure', delayMs: 30_000, cause: limited });
  });

  it('gives up on the last attempt, on a failure that would repeat, and on anything that is not a service failure', () => {
    expect(retryOf(limited, { attempt: 3, maxAttempts: 3 }, 'x')).toBeUndefined();
    expect(retryOf(new ServiceError('github', 'not found', { retryable: false, status: 404 }), { attempt: 1, maxAttempts: 3 }, 'x')).toBeUndefined();
    expect(retryOf(new Error('bug'), { attempt: 1, maxAttempts: 3 }, 'x')).toBeUndefined();
  });
});
