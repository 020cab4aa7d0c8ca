export type Service = 'github' | 'anthropic' | 'redis' | 'config';

/**
 * The one typed failure of an outside service, made only in adapters. `retryable` says whether running
 * the same job again later can succeed (rate limits, 5xx, timeouts), as opposed to 401/404/422.
 */
export class ServiceError extends Error {
  readonly service: Service;
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** How long the service asked us to wait before trying again (retry-after, a rate limit's reset), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    service: Service,
    message: string,
    options: { retryable: boolean; status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ServiceError';
    this.service = service;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A failure that may not happen again (a rate limit, an overload, a 5xx, a timeout): worth another attempt. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ServiceError && error.retryable;
}
