import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Fake secrets for tests, built at run time from random bytes: no real (or realistic-looking literal) secret is
 * ever committed. Each matches a rule of secretlint's recommended preset.
 */
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DIGITS = '0123456789';

export function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export const fakeSecret = {
  awsAccessKeyId: () => `AKIA${randomFrom(UPPER_DIGITS, 16)}`,
  githubToken: () => `ghp_${randomFrom(BASE62, 36)}`,
  slackToken: () => `xoxb-${randomFrom(DIGITS, 12)}-${randomFrom(DIGITS, 12)}-${randomFrom(BASE62, 24)}`,
  npmToken: () => `npm_${randomFrom(BASE62, 36)}`,
  stripeLiveKey: () => `sk_live_${randomFrom(BASE62, 24)}`,
  password: () => randomFrom(BASE62, 16),
  privateKeyPem: () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey.trim(),
};

/**
 * Every 8-character piece of every secret that is not in `produced` (as JSON). Empty when nothing leaked; a
 * private key's body is checked line by line (its base64 lines are what matters, not the armour).
 */
export function leakedPieces(produced: unknown, secrets: readonly string[]): string[] {
  const text = typeof produced === 'string' ? produced : JSON.stringify(produced);
  const leaked: string[] = [];
  for (const secret of secrets) {
    for (const part of secret.split('\n')) {
      if (part.startsWith('-----')) continue;
      for (let start = 0; start + 8 <= part.length; start += 1) {
        const piece = part.slice(start, start + 8);
        if (text.includes(piece) || text.includes(JSON.stringify(piece).slice(1, -1))) leaked.push(piece);
      }
    }
  }
  return leaked;
}
