import type { WSContext, WSEvents } from 'hono/ws';
import type { User } from '../auth';
import { log } from '../log';
import { clientMessage, encode } from './protocol';
import { closeSession, openSession } from './sessions';
import type { Session } from './sessions';

export function sessionSocket(user: User, sessionId: string): WSEvents {
  let session: Session | undefined;
  return {
    onOpen: async (_event, ws: WSContext) => {
      try {
        session = await openSession(sessionId, user.id);
      } catch (error) {
        ws.send(encode({ type: 'error', message: 'session unavailable' }));
        ws.close(1008, 'forbidden');
        return;
      }
      const reader = session.proc.stdout.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        ws.send(encode({ type: 'output', data: new TextDecoder().decode(value) }));
      }
      ws.send(encode({ type: 'exit', code: await session.proc.exited }));
    },
    onMessage: (event, ws) => {
      const parsed = clientMessage.safeParse(JSON.parse(String(event.data)));
      if (!parsed.success) {
        ws.send(encode({ type: 'error', message: 'bad message' }));
        return;
      }
      if (parsed.data.type === 'input') session?.proc.stdin.write(parsed.data.data);
    },
    onClose: () => {
      if (session) closeSession(session);
      log('socket.closed', { sessionId, user: user.id });
    },
  };
}
