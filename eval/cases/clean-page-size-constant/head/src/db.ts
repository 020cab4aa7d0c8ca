import { Database } from 'bun:sqlite';

export const db = new Database(process.env.DB_PATH ?? 'data.sqlite', { strict: true });

export interface Project {
  id: string;
  owner_id: string;
  name: string;
  created_at: string;
}

export function getProject(id: string): Project | null {
  return db.query<Project, [string]>('SELECT id, owner_id, name, created_at FROM projects WHERE id = ?').get(id);
}

export function listProjects(ownerId: string, limit: number): Project[] {
  return db.query<Project, [string, number]>('SELECT id, owner_id, name, created_at FROM projects WHERE owner_id = ? ORDER BY created_at DESC LIMIT ?').all(ownerId, limit);
}

/** Search results are one page at most. */
export function searchProjects(ownerId: string, term: string): Project[] {
  return db
    .query<Project, [string, string]>("SELECT id, owner_id, name, created_at FROM projects WHERE owner_id = ? AND name LIKE '%' || ? || '%' LIMIT 50")
    .all(ownerId, term);
}
