import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentFileReader } from '../../ports/agent-file-reader.js';

/**
 * An AgentFileReader over a local folder (the CLI, tests, the bundled agents). The only file in src/agents that
 * touches the file system. Paths that would leave `rootDir` read as absent.
 */
export function createFsReader(rootDir: string): AgentFileReader {
  const root = resolve(rootDir);
  const inside = (path: string): string | undefined => {
    const full = resolve(root, path);
    const rel = relative(root, full);
    return rel.startsWith('..') || isAbsolute(rel) ? undefined : full;
  };

  return {
    async read(path) {
      const full = inside(path);
      if (!full) return undefined;
      try {
        return decodeText(await readFile(full));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async list(dir) {
      const full = inside(dir === '' ? '.' : dir);
      if (!full) return [];
      try {
        const entries = await readdir(full, { withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile() || entry.isSymbolicLink())
          .map((entry) => entry.name)
          .sort();
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
  };
}

/** The package's own `agents/` folder: this file sits three levels down both under vitest (`src/adapters/agents/`) and after tsc (`dist/adapters/agents/`). */
export function bundledDir(): string {
  return fileURLToPath(new URL('../../../agents/', import.meta.url));
}

/**
 * Editors on Windows still write UTF-16 with a BOM now and then; decode it rather than feed NULs to YAML.
 * Everything else is read as UTF-8; TextDecoder drops a UTF-8 BOM (the parser would strip it anyway, as text from
 * other readers may still carry one).
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
