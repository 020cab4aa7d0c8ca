/** The part of Probot's pino logger this touches. */
interface ErrorLogger {
  error: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
}

const BAD_SIGNATURE = 'signature does not match event payload and secret';
/** Redis's reconnect errors are reported by Probot's throttling at most this often, per message. */
const REDIS_REPORT_INTERVAL_MS = 60_000;

/**
 * Two kinds of Probot error lines, made bounded and useful, on the logger Probot's webhooks, webhook middleware
 * and Octokit throttling write to (app.log and its children, which inherit its methods):
 *
 * - A delivery with a bad signature was logged twice at error level, each time with its stack and the whole
 *   unverified payload (probot/lib/helpers/get-error-handler.js, then @octokit/webhooks'
 *   middleware/create-middleware.js catches the same error and logs it again): about 70 lines. It becomes one
 *   warning naming the delivery and what to check; the payload is never written (it is unverified input).
 * - With REDIS_URL set, Probot's Octokit throttling logs every reconnect error of its two Redis connections
 *   (probot/lib/octokit/get-octokit-throttle-options.js): hundreds of lines a second while Redis is down. They
 *   are written at most once a minute per message, with how many were left out. /healthz still answers 503.
 *
 * Every other error passes through unchanged.
 */
export function quietKnownNoise(log: ErrorLogger, now: () => number = Date.now): void {
  const original = log.error;
  const warned = new WeakSet<object>();
  const lastRedisReport = new Map<string, { at: number; suppressed: number }>();

  log.error = function (this: ErrorLogger, ...args: unknown[]): void {
    const [first] = args;
    const signatureError = badSignatureError(first);
    if (signatureError) {
      if (warned.has(signatureError)) return;
      warned.add(signatureError);
      const event = (signatureError as { event?: { id?: unknown; name?: unknown } }).event;
      this.warn(
        { delivery: typeof event?.id === 'string' ? event.id : undefined, event: typeof event?.name === 'string' ? event.name : undefined },
        'webhook refused: its signature does not match WEBHOOK_SECRET. If this delivery came from GitHub, set WEBHOOK_SECRET to the webhook secret in the GitHub App settings.',
      );
      return;
    }
    if (isObject(first) && first.source === 'bottleneck') {
      const message = typeof first.message === 'string' ? first.message : 'error';
      const last = lastRedisReport.get(message);
      const at = now();
      if (last && at - last.at < REDIS_REPORT_INTERVAL_MS) {
        last.suppressed += 1;
        return;
      }
      if (lastRedisReport.size > 100) lastRedisReport.clear();
      lastRedisReport.set(message, { at, suppressed: 0 });
      original.call(this, { err: first, repeatsLeftOut: last?.suppressed ?? 0 }, `GitHub request throttling cannot reach Redis (${message}); reported at most once a minute`);
      return;
    }
    original.apply(this, args);
  };
}

function badSignatureError(value: unknown): object | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.message === 'string' && value.message.includes(BAD_SIGNATURE) && !Array.isArray(value.errors)) return value;
  // The middleware logs the AggregateError wrapping the error the webhooks' error handler saw.
  if (Array.isArray(value.errors)) return value.errors.map(badSignatureError).find(Boolean);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
