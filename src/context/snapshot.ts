import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { posix } from 'node:path';
import tar from 'tar-stream';

/**
 * The PR's head commit as the model's tools see it: a read-only, in-memory copy of the repository built from
 * GitHub's tarball (`GET /repos/{owner}/{repo}/tarball/{sha}`). Nothing is ever written to disk, and nothing
 * but the map below is ever read, so a tool can only return what is in it.
 */
export interface SnapshotFile {
  /** Bytes, as the tar header states them. */
  size: number;
  /** UTF-8 text; absent for binary files and for files over `maxFileBytes` (listed, not kept). */
  text?: string;
  /** A NUL byte in the first 8 KB. */
  binary: boolean;
}

export interface Snapshot {
  /** Keyed by repository-relative posix path (`src/a.ts`), the tarball's top-level folder stripped. */
  files: Map<string, SnapshotFile>;
  /** A cap (bytes or files) stopped reading: files past that point are missing. */
  truncated: boolean;
  /** Entries not served: links, devices, paths outside the tree, … `path` is repository-relative when it could be computed. */
  refused: { path: string; reason: string }[];
}

export interface SnapshotLimits {
  /** Uncompressed tar bytes read at most (headers included): reading stops there and `truncated` is set. */
  maxBytes: number;
  /** Regular files listed at most. */
  maxFiles: number;
  /** Files larger than this are listed (size, binary) but their content is not kept. */
  maxFileBytes: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxFiles: 20_000,
  maxFileBytes: 1024 * 1024,
};

/** The archive could not be read (not gzip, not tar, cut short). Caps are not errors: they set `truncated`. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

const SNIFF_BYTES = 8 * 1024;
/** `refused` is informative, not a log: keep it bounded however hostile the archive. */
const MAX_REFUSED_LISTED = 1_000;

/** Thrown inside the pipeline when the byte cap is crossed; never leaves this module. */
class ByteCapReached extends Error {}

export async function loadSnapshot(
  tarball: Uint8Array | AsyncIterable<Uint8Array>,
  limits: Partial<SnapshotLimits> = {},
): Promise<Snapshot> {
  const caps: SnapshotLimits = { ...DEFAULT_SNAPSHOT_LIMITS, ...limits };
  const snapshot: Snapshot = { files: new Map(), truncated: false, refused: [] };
  const refuse = (path: string, reason: string) => {
    if (snapshot.refused.length < MAX_REFUSED_LISTED) snapshot.refused.push({ path: clip(path), reason: clip(reason) });
  };

  // Every byte gunzip produces is counted, headers and padding included: a gzip bomb of empty entries
  // is bounded as surely as one big file.
  let bytesRead = 0;
  let capReached = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytesRead += chunk.byteLength;
      if (bytesRead > caps.maxBytes) {
        capReached = true;
        callback(new ByteCapReached());
        return;
      }
      callback(null, chunk);
    },
  });

  const source = tarball instanceof Uint8Array ? Readable.from([tarball]) : Readable.from(tarball);
  const extract = tar.extract();
  // Errors surface through the entry iterator below; this promise only has to be settled and silenced.
  const piping = pipeline(source, createGunzip(), counter, extract).catch((error: unknown) => error);

  let top: string | undefined;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const located = locate(header.name, top);
      if (located.kind === 'top') {
        top = located.top;
        await drain(entry);
        continue;
      }
      if (located.kind === 'refused') {
        refuse(located.path, located.reason);
        await drain(entry);
        continue;
      }
      if (top === undefined) top = located.top;
      const path = located.path;

      // tar-stream reports typeflags it does not know as null: refused like any other non-file.
      const type: string | null = header.type;
      if (type === 'directory') {
        await drain(entry);
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        // A later entry replaces an earlier one of the same path, as when extracting.
        snapshot.files.delete(path);
        refuse(path, refusalReason(type, header.linkname));
        await drain(entry);
        continue;
      }

      const size = header.size ?? 0;
      if (!snapshot.files.has(path) && snapshot.files.size >= caps.maxFiles) {
        snapshot.truncated = true;
        break;
      }
      // Stop at an entry boundary when the next file would cross the byte cap (the counter is the backstop).
      if (bytesRead + size > caps.maxBytes) {
        snapshot.truncated = true;
        break;
      }
      snapshot.files.set(path, await readContent(entry, size, caps.maxFileBytes));
    }
  } catch (error) {
    if (!capReached) {
      await piping;
      throw new SnapshotError('The repository archive could not be read.', { cause: error });
    }
    snapshot.truncated = true;
  } finally {
    extract.destroy();
    source.destroy();
  }
  await piping;
  if (capReached) snapshot.truncated = true;
  return snapshot;
}

type Located =
  | { kind: 'top'; top: string }
  | { kind: 'file'; top: string; path: string }
  | { kind: 'refused'; path: string; reason: string };

/**
 * GitHub's archives hold one folder, `owner-repo-sha/`, and everything under it. The first sane entry fixes
 * that folder; an entry elsewhere, absolute, or climbing out after normalisation is refused.
 */
function locate(rawName: string, top: string | undefined): Located {
  if (rawName.includes('\0')) return { kind: 'refused', path: rawName.replaceAll('\0', '\\0'), reason: 'NUL byte in the path' };
  if (rawName.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rawName)) return { kind: 'refused', path: rawName, reason: 'absolute path' };
  const normalised = posix.normalize(rawName).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) return { kind: 'refused', path: rawName, reason: 'path leaves the archive' };
  if (normalised === '' || normalised === '.') return { kind: 'refused', path: rawName, reason: 'empty path' };

  const slash = normalised.indexOf('/');
  const first = slash === -1 ? normalised : normalised.slice(0, slash);
  const expected = top ?? first;
  if (first !== expected) return { kind: 'refused', path: rawName, reason: 'outside the top-level folder' };
  if (slash === -1) return { kind: 'top', top: expected };
  return { kind: 'file', top: expected, path: normalised.slice(slash + 1) };
}

function refusalReason(type: string | null, linkname: string | null | undefined): string {
  switch (type) {
    case 'symlink':
      return `symbolic link${linkname ? ` to ${linkname}` : ''}: links are not followed`;
    case 'link':
      return `hard link${linkname ? ` to ${linkname}` : ''}: links are not followed`;
    case 'character-device':
    case 'block-device':
      return 'device file';
    case 'fifo':
      return 'named pipe';
    default:
      return `unsupported entry type (${type ?? 'unknown'})`;
  }
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

async function readContent(entry: AsyncIterable<unknown>, size: number, maxFileBytes: number): Promise<SnapshotFile> {
  const keep = size <= maxFileBytes;
  const chunks: Buffer[] = [];
  let held = 0;
  for await (const data of entry) {
    const chunk = data as Buffer;
    // Over the per-file cap only the head is held, to tell binary from text.
    if (keep || held < SNIFF_BYTES) {
      chunks.push(chunk);
      held += chunk.byteLength;
    }
  }
  const content = Buffer.concat(chunks);
  const binary = content.subarray(0, SNIFF_BYTES).includes(0);
  if (!keep || binary) return { size, binary };
  return { size, binary, text: content.toString('utf8') };
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  // Entries must be consumed before the next one arrives; the bytes are discarded (and were counted).
  const iterator = entry[Symbol.asyncIterator]();
  while (!(await iterator.next()).done) {
    // discard
  }
}
