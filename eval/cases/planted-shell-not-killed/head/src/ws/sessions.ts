import { log } from '../log';

export interface Session {
  id: string;
  ownerId: string;
  proc: ReturnType<typeof Bun.spawn>;
  clients: number;
}

const sessions = new Map<string, Session>();

/** One shell per session id, shared by every tab of its owner. */
export function openSession(id: string, ownerId: string): Session {
  const existing = sessions.get(id);
  if (existing) {
    if (existing.ownerId !== ownerId) throw new Error('session belongs to another user');
    existing.clients += 1;
    return existing;
  }
  const proc = Bun.spawn(['bash', '-l'], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', env: { TERM: 'xterm-256color' } });
  const session: Session = { id, ownerId, proc, clients: 1 };
  sessions.set(id, session);
  log('session.opened', { id, ownerId });
  return session;
}

/** The last client leaving ends the shell. */
export function closeSession(session: Session): void {
  session.clients -= 1;
  if (session.clients > 0) return;
  log('session.idle', { id: session.id });
}
