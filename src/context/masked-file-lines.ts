import { maskSecretsInFiles } from '../secrets/mask-secrets-in-files.js';
import type { Snapshot } from './snapshot.js';
import { splitLines } from './split-lines.js';

/** A text file of the snapshot as the tools may show it. */
export interface MaskedFile {
  /** The file's lines (split like the tools split them), secrets replaced by placeholders. */
  lines: string[];
  /** The lines as they are in the snapshot (same count): to tell what masking changed. */
  raw: string[];
}

/**
 * Masked lines per file, computed once per snapshot and file: a model reads the same files again and again within
 * a review, and secretlint is the costly part. Kept beside the snapshot (a WeakMap: gone with it), only for
 * files whose masking changed something; clean files are served from the snapshot's own text.
 */
const cache = new WeakMap<Snapshot, Map<string, Promise<string[] | undefined>>>();

/**
 * The masked lines of each of `paths` that has text (binary and oversized files are left out), scanned in one
 * batch. Rejects when secretlint fails; the failed files are not cached, so a later call scans them again.
 */
export async function maskedFileLines(snapshot: Snapshot, paths: readonly string[]): Promise<Map<string, MaskedFile>> {
  let known = cache.get(snapshot);
  if (!known) {
    known = new Map();
    cache.set(snapshot, known);
  }
  const perFile = known;
  const raws = new Map<string, string[]>();
  const missing: { path: string; lines: string[] }[] = [];
  for (const path of new Set(paths)) {
    const text = snapshot.files.get(path)?.text;
    if (text === undefined) continue;
    const lines = splitLines(text);
    raws.set(path, lines);
    if (!perFile.has(path)) missing.push({ path, lines });
  }
  if (missing.length > 0) {
    const batch = maskSecretsInFiles(missing);
    missing.forEach((file, index) => {
      const lines = batch.then((masked) => masked[index]?.lines);
      // Awaited below, or by a later call; observed now so a failure is never reported as unhandled meanwhile.
      lines.catch(() => undefined);
      perFile.set(file.path, lines);
    });
    batch.catch(() => {
      for (const file of missing) perFile.delete(file.path);
    });
  }
  const result = new Map<string, MaskedFile>();
  for (const [path, raw] of raws) {
    const masked = await perFile.get(path);
    result.set(path, { lines: masked ?? raw, raw });
  }
  return result;
}
