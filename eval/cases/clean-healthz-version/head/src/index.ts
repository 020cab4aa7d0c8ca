import { Hono } from 'hono';
import { upgradeWebSocket, websocket } from 'hono/bun';
import { requireUser } from './auth';
import { projects } from './routes/projects';
import { billing } from './routes/billing';
import { sessionSocket } from './ws/session-socket';

const app = new Hono();

app.get('/healthz', (c) => c.json({ ok: true, version: process.env.APP_VERSION ?? 'dev' }));
app.use('/api/*', requireUser);
app.route('/api/projects', projects);
app.route('/api/billing', billing);
app.get('/ws/sessions/:id', requireUser, upgradeWebSocket((c) => sessionSocket(c.get('user'), c.req.param('id'))));

export default { port: Number(process.env.PORT ?? 3000), fetch: app.fetch, websocket };
