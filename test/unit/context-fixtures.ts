import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';

/** Tarballs built at test time, shaped like GitHub's (`owner-repo-sha/` on top); nothing binary is committed. */

export const TOP = 'acme-shop-0123abc';

export interface TarEntry {
  name: string;
  type?: Header['type'];
  content?: string | Buffer;
  linkname?: string;
}

export async function buildTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header: Partial<Header> & Pick<Header, 'name'> = { name: entry.name, type, mode: type === 'directory' ? 0o755 : 0o644 };
    if (entry.linkname !== undefined) header.linkname = entry.linkname;
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (type === 'file') pack.entry(header, entry.content ?? '', callback);
      else pack.entry({ ...header, size: 0 }, callback);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildTarball(entries: TarEntry[]): Promise<Buffer> {
  return gzipSync(await buildTar(entries));
}

/** A GitHub-like archive with every kind of entry the snapshot must refuse. */
export function hostileEntries(): TarEntry[] {
  return [
    { name: `${TOP}/`, type: 'directory' },
    { name: `${TOP}/src/`, type: 'directory' },
    { name: `${TOP}/src/a.ts`, content: 'export const a = 1;\nexport function handler() {\n  return db.query("SELECT 1");\n}\n' },
    { name: `${TOP}/src/db/users.ts`, content: 'import { pool } from "./pool";\nexport const findUser = (id) => pool.query(`SELECT * FROM users WHERE id = ${id}`);\n' },
    { name: `${TOP}/README.md`, content: '# Shop\n' },
    { name: `${TOP}/.github/workflows/ci.yml`, content: 'on: push\n' },
    { name: `${TOP}/assets/logo.png`, content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]) },
    { name: `${TOP}/link`, type: 'symlink', linkname: '../../etc/passwd' },
    { name: `${TOP}/linkdir`, type: 'symlink', linkname: '/etc' },
    { name: `${TOP}/hard`, type: 'link', linkname: `${TOP}/src/a.ts` },
    { name: `${TOP}/dev`, type: 'character-device' },
    { name: '../evil.txt', content: 'evil outside' },
    { name: `${TOP}/../../escape.txt`, content: 'evil escape' },
    { name: '/etc/x', content: 'evil absolute' },
    { name: 'other-top/stray.txt', content: 'evil stray' },
  ];
}
