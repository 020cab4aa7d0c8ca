import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { EvalRecipe } from './case-schema.js';

const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/**
 * The recipe's files at both versions, from the npm registry's tarballs (the registry's documented tarball path,
 * `<registry>/<name>/-/<unscoped name>-<version>.tgz`), kept in `cacheDir` so a case is downloaded once. Only the
 * listed files are kept: third-party code is evaluation data, never copied into this repository.
 */
export async function fetchRecipe(recipe: EvalRecipe, options: { cacheDir: string; registry?: string | undefined; fetch?: typeof fetch }): Promise<{ base: Map<string, string>; head: Map<string, string> }> {
  const [base, head] = await Promise.all([recipe.fixed, recipe.vulnerable].map((version) => filesAt(recipe, version, options)));
  return { base: base ?? new Map(), head: head ?? new Map() };
}

async function filesAt(recipe: EvalRecipe, version: string, options: { cacheDir: string; registry?: string | undefined; fetch?: typeof fetch }): Promise<Map<string, string>> {
  const folder = join(options.cacheDir, `${recipe.package.replace('/', '+')}@${version}`);
  const cached = new Map<string, string>();
  for (const path of recipe.files) {
    const text = await readFile(join(folder, path), 'utf8').catch(() => undefined);
    if (text !== undefined) cached.set(path, text);
  }
  if (cached.size === recipe.files.length) return cached;

  const registry = (options.registry ?? DEFAULT_REGISTRY).replace(/\/?$/, '/');
  const unscoped = recipe.package.split('/').at(-1) ?? recipe.package;
  const url = `${registry}${recipe.package}/-/${unscoped}-${version}.tgz`;
  const response = await (options.fetch ?? fetch)(url);
  if (!response.ok || !response.body) throw new Error(`${recipe.package}@${version}: the registry answered ${response.status} for ${url}`);
  const wanted = new Set(recipe.files);
  const files = new Map<string, string>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    // npm tarballs keep everything under one top-level folder, usually `package/`.
    const path = header.name.split('/').slice(1).join('/');
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => {
      if (wanted.has(path)) chunks.push(chunk as Buffer);
    });
    stream.on('end', () => {
      if (wanted.has(path) && header.type === 'file') files.set(path, Buffer.concat(chunks).toString('utf8'));
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.fromWeb(response.body as never), createGunzip(), extract);
  const missing = recipe.files.filter((path) => !files.has(path));
  if (missing.length > 0) throw new Error(`${recipe.package}@${version} has no ${missing.join(', ')}`);
  for (const [path, text] of files) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  return files;
}
