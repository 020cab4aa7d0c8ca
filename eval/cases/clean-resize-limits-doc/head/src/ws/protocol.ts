import { z } from 'zod';

/**
 * Messages the browser sends. Version 1 of the protocol; clients in the field speak it.
 * `resize` is bounded so a client cannot ask the shell for a gigantic screen.
 */
export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string().max(64 * 1024) }),
  z.object({ type: z.literal('resize'), cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Messages the server sends. */
export type ServerMessage =
  | { type: 'output'; data: string }
  | { type: 'exit'; code: number }
  | { type: 'error'; message: string };

export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}
