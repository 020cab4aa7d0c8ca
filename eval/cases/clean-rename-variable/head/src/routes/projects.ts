import { Hono } from 'hono';
import { z } from 'zod';
import { db, getProject, listProjects, searchProjects } from '../db';
import { log } from '../log';

const createProject = z.object({ name: z.string().trim().min(1).max(100) });
const PAGE_SIZE = 50;

export const projects = new Hono();

projects.get('/', (c) => {
  const user = c.get('user');
  const query = c.req.query('q');
  return c.json(query ? searchProjects(user.id, query) : listProjects(user.id, PAGE_SIZE));
});

projects.get('/:id', (c) => {
  const project = getProject(c.req.param('id'));
  if (!project || project.owner_id !== c.get('user').id) return c.json({ error: 'not found' }, 404);
  return c.json(project);
});

projects.post('/', async (c) => {
  const parsed = createProject.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return c.json({ error: 'invalid project', issues: parsed.error.issues }, 400);
  const id = crypto.randomUUID();
  db.query('INSERT INTO projects (id, owner_id, name, created_at) VALUES (?, ?, ?, ?)').run(id, c.get('user').id, parsed.data.name, new Date().toISOString());
  log('project.created', { id, owner: c.get('user').id });
  return c.json({ id }, 201);
});
