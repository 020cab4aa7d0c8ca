import pLimit from 'p-limit';
import { orderByRisk } from '../review/risk-order.js';
import type { DiffFile } from '../review/types.js';
import { widenHunks } from '../review/widen-hunks.js';
import type { HeadText, WidenBounds } from '../review/widen-hunks.js';
import { maskSecretsInFiles } from '../secrets/mask-secrets-in-files.js';
import { splitLines } from './split-lines.js';
import { unreadableReason } from './unreadable-reason.js';

export interface HeadReadLimits {
  /** Files read at most (one contents API call each), riskiest first. */
  maxFiles: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** A file longer than this (characters) is not widened: masking it would cost more than its context is worth. */
  maxChars: number;
  /** Past this, the reads still pending are given up and the review goes on without their context. */
  timeoutMs: number;
  bounds?: WidenBounds;
}

export const DEFAULT_HEAD_READ_LIMITS: HeadReadLimits = { maxFiles: 30, concurrency: 6, maxChars: 400_000, timeoutMs: 10_000 };

/** Reads one file of the head commit: its text, or undefined when there is none. */
export type ReadHeadFile = (path: string) => Promise<string | undefined>;

/**
 * Widening each hunk with the head file around it (src/review/widen-hunks.ts) needs the files' text. This starts
 * reading it at once, so the reads run while the secrets scan and the agent's loading do, and returns the step
 * that widens the (redacted) files once both are there.
 *
 * - Which files: modified, renamed or copied ones (an added file's hunk is already the whole file), riskiest
 *   first, at most `maxFiles`; never a file that is a secret by nature or excluded by `paths.exclude` (the same
 *   refusal the Read tool applies).
 * - Masking: every file read is masked as a whole (maskSecretsInFiles: a private key is seen whole even when the
 *   widened lines show only part of it), so the widened lines carry placeholders like the rest of the diff.
 * - Failure never costs the review: a file that cannot be read is not widened; when masking fails, or the reads
 *   run past `timeoutMs`, nothing is (fail closed), and `onError` hears why.
 */
export function startWidening(
  files: readonly DiffFile[],
  read: ReadHeadFile,
  exclude: readonly string[],
  onError: (error: unknown) => void,
  limits: HeadReadLimits = DEFAULT_HEAD_READ_LIMITS,
): (redacted: readonly DiffFile[]) => Promise<DiffFile[]> {
  const heads = readHeads(files, read, exclude, limits, onError);
  return async (redacted) => {
    const byPath = await heads;
    return redacted.map((file) => {
      const head = byPath.get(file.path);
      return head === undefined ? file : widenHunks(file, head, limits.bounds);
    });
  };
}

/** The files worth widening, in risk order, capped. */
export function filesToWiden(files: readonly DiffFile[], exclude: readonly string[], maxFiles: number): DiffFile[] {
  const unreadable = unreadableReason(exclude);
  const worth = (file: DiffFile) => file.hunks.length > 0 && (file.status === 'modified' || file.status === 'renamed' || file.status === 'copied' || file.status === 'changed');
  return orderByRisk(files.filter((file) => worth(file) && unreadable(file.path) === undefined)).slice(0, maxFiles);
}

async function readHeads(files: readonly DiffFile[], read: ReadHeadFile, exclude: readonly string[], limits: HeadReadLimits, onError: (error: unknown) => void): Promise<Map<string, HeadText>> {
  const wanted = filesToWiden(files, exclude, limits.maxFiles);
  if (wanted.length === 0) return new Map();
  let failure: unknown;
  const limit = pLimit(limits.concurrency);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limits.timeoutMs);
    timer.unref?.();
  });
  const reads = Promise.all(
    wanted.map((file) =>
      limit(async () => {
        try {
          const text = await read(file.path);
          return text === undefined || text.length > limits.maxChars ? undefined : { path: file.path, lines: splitLines(text) };
        } catch (error) {
          failure ??= error;
          return undefined;
        }
      }),
    ),
  );
  try {
    const settled = await Promise.race([reads, deadline]);
    if (settled === 'timeout') {
      limit.clearQueue();
      onError(new Error(`reading the head files to widen the hunks took longer than ${limits.timeoutMs} ms; the hunks are not widened`));
      return new Map();
    }
    if (failure !== undefined) onError(failure);
    const texts = settled.filter((text) => text !== undefined);
    const masked = await maskSecretsInFiles(texts);
    // A file the scan gave no answer for is left out: only what was scanned is shown.
    return new Map(texts.flatMap((text, index) => {
      const scanned = masked[index];
      return scanned === undefined ? [] : [[text.path, { raw: text.lines, shown: scanned.lines ?? text.lines }] as const];
    }));
  } catch (error) {
    onError(error);
    return new Map();
  } finally {
    clearTimeout(timer);
  }
}
