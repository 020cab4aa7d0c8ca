import type { RateLimitReason, RateLimitWait } from '../ports/rate-limiter.js';
import { codeSpan } from './sanitize-text.js';

/** The check run while a review's model calls wait for the provider's rate limit (README, "Deploying"). */
export function renderWaitingForCapacity(headSha: string, wait: RateLimitWait): { title: string; summary: string } {
  return {
    title: 'Review in progress: waiting for model capacity',
    summary:
      `Bulwark is reviewing \`${headSha.slice(0, 7)}\`. It is waiting for capacity: ${why(wait.reason, wait.model)}, ` +
      `so its next model call goes at about ${clockTime(wait.until)} UTC (in ${describeWait(wait.waitMs)}). ` +
      'Every Bulwark replica waits for the same limit; nothing needs to be done.',
  };
}

/** Why a call did not wait, as the failure the job is retried for (the check run quotes it). */
export function rateLimitWaitMessage(wait: RateLimitWait, maxWaitMs: number): string {
  return (
    `The model provider's rate limit holds calls until about ${clockTime(wait.until)} UTC: ${why(wait.reason, wait.model)}, ` +
    `and that is longer than a review waits (${describeWait(maxWaitMs)}, BULWARK_RATE_LIMIT_MAX_WAIT_MS).`
  );
}

function why(reason: RateLimitReason, model: string): string {
  const name = codeSpan(model.slice(0, 200));
  if (reason === 'retry-after') return `the model provider answered a call to ${name} with 429 (rate limited) and asked to wait`;
  return `the model provider's limit on ${LIMIT_NAMES[reason]} for ${name} is nearly spent`;
}

const LIMIT_NAMES: Record<Exclude<RateLimitReason, 'retry-after'>, string> = {
  requests: 'requests',
  'input-tokens': 'input tokens',
  'output-tokens': 'output tokens',
  tokens: 'tokens',
};

/** `HH:MM:SS` of the UTC day. */
function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}
