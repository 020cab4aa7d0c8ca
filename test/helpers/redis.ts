import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';

/** True when Redis at `url` answers PING within 500 ms; false when `url` is unset or Redis does not answer. */
export async function redisAvailable(url = process.env.REDIS_URL): Promise<boolean> {
  if (!url) return false;
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 500 ms')), 500);
      }),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * A describe block that needs the Redis at REDIS_URL. When REDIS_URL is unset or Redis does not answer, the
 * block is skipped (reported as skipped, never as passed) and a banner on stderr says which tests and why.
 */
export async function describeRedis(name: string, body: (redisUrl: string) => void): Promise<void> {
  const url = process.env.REDIS_URL;
  const available = await redisAvailable(url);
  if (!available) {
    const why = url ? `Redis at ${redactUrl(url)} did not answer PING within 500 ms` : 'REDIS_URL is not set';
    const line = '!'.repeat(100);
    console.warn(`\n${line}\n!!! SKIPPED: "${name}" (every test in it) needs Redis: ${why}.\n!!! These tests did NOT run. Run them with REDIS_URL=redis://127.0.0.1:6379.\n${line}\n`);
  }
  describe.skipIf(!available)(`${name} [Redis]`, () => body(url ?? ''));
}

/** A fresh key namespace for one test file run, e.g. `bulwark-test-3f9a1c2b`. */
export function uniquePrefix(label = 'bulwark-test'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key that starts with `prefix` (SCAN, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    const stream = client.scanStream({ match: `${prefix}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await client.del(...keys);
    }
    return deleted;
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
