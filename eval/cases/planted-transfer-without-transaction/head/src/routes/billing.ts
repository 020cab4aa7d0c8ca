import { Hono } from 'hono';
import { z } from 'zod';
import { db } from '../db';

const transferBody = z.object({ to: z.string().uuid(), credits: z.number().int().positive().max(100_000) });

export const billing = new Hono();

/** Moves credits between two accounts. */
function transfer(from: string, to: string, credits: number): void {
  const debited = db.query('UPDATE accounts SET credits = credits - ? WHERE user_id = ? AND credits >= ?').run(credits, from, credits);
  if (debited.changes !== 1) throw new Error('insufficient credits');
  db.query('UPDATE accounts SET credits = credits + ? WHERE user_id = ?').run(credits, to);
}

billing.post('/transfer', async (c) => {
  const parsed = transferBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return c.json({ error: 'invalid transfer' }, 400);
  try {
    transfer(c.get('user').id, parsed.data.to, parsed.data.credits);
  } catch {
    return c.json({ error: 'insufficient credits' }, 409);
  }
  return c.json({ ok: true });
});
