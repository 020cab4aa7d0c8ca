import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { db } from './db';

export interface User {
  id: string;
  email: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    user: User;
  }
}

/** Tokens are stored hashed; the comparison must not leak how many bytes matched. */
export function sameToken(presented: string, stored: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const requireUser: MiddlewareHandler = async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const [scheme, token] = header.split(' ');
  if (scheme !== 'Bearer' || !token) {
    console.log(JSON.stringify({ event: 'auth.rejected', path: c.req.path, authorization: header }));
    return c.json({ error: 'unauthorized' }, 401);
  }
  const hash = new Bun.CryptoHasher('sha256').update(token).digest('hex');
  const row = db.query<{ id: string; email: string; token_hash: string }, [string]>('SELECT id, email, token_hash FROM users WHERE token_hash = ?').get(hash);
  if (!row || !sameToken(hash, row.token_hash)) return c.json({ error: 'unauthorized' }, 401);
  c.set('user', { id: row.id, email: row.email });
  await next();
};
