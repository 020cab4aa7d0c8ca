import { compressHunks } from './compress-hunks.js';
import { estimateFileTokens } from './estimate-tokens.js';
import { orderByRisk } from './risk-order.js';
import type { DiffFile, SkippedFile } from './types.js';
import { isWidened, narrowHunks } from './widen-hunks.js';

export interface PlanChunksOptions {
  /** Tokens of diff one review may spend in all (repo config `budget.max_input_tokens`). */
  budgetTokens: number;
  /** Tokens of diff one model call may carry: the model's context minus the system prompt, the PR's title and description, and the output. */
  chunkTokens: number;
  /** A file estimated above this is clipped by whole hunks. Default, and never more than, `chunkTokens`. */
  maxFileTokens?: number;
  /** The estimator; a caller that calibrated against the count_tokens endpoint can pass its own. */
  estimate?: (file: DiffFile) => number;
  /** Share of `budgetTokens` the widened context of the files (widen-hunks.ts) may take at most. Default CONTEXT_SHARE. */
  contextShare?: number;
}

/** The widened context around hunks takes at most this share of the review's budget. */
export const CONTEXT_SHARE = 0.1;

export interface ClippedFile {
  path: string;
  /** The first `keptHunks` hunks were reviewed; the rest were not. */
  keptHunks: number;
  totalHunks: number;
}

export interface ChunkPlan {
  /** One model call per chunk. Files are the prompt copies (deletion runs compressed, maybe clipped), in risk order. */
  chunks: DiffFile[][];
  /** Files not reviewed at all, in risk order. */
  skipped: SkippedFile[];
  /** Files reviewed only in part; each is also in a chunk. */
  clipped: ClippedFile[];
  /** Sum of the estimates of every file in every chunk; never more than `budgetTokens`. */
  estimatedTokens: number;
  /** Of `estimatedTokens`, what the widened context adds; absent when none is sent. */
  contextTokens?: number;
}

interface Planned {
  file: DiffFile;
  tokens: number;
}

/**
 * Decides what of a pull request the model sees, and in how many calls.
 *
 * 1. Files are taken riskiest first (orderByRisk) and their deletion-only runs compressed (compressHunks).
 * 2. A file estimated above the per-file limit keeps its leading hunks up to the limit, whole hunks only (a cut
 *    hunk would show the model lines out of their context and break its header's counts); when not even its
 *    first hunk fits, the file is skipped as 'over-budget'.
 * 3. The per-review budget is filled in that order. A file that does not fit what is left is skipped as
 *    'over-budget', and the walk goes on: a small file further down still fits and is still reviewed. That
 *    trades strict risk order for coverage; the riskier file that did not fit is listed as skipped either way.
 * 4. Accepted files are packed into chunks of at most `chunkTokens`, first fit in risk order, preferring a
 *    chunk that already holds a file of the same folder (the model then sees a route next to its service).
 *    First fit leaves at most one chunk less than half full, and each chunk's files stay in risk order.
 *
 * Files may come widened (widen-hunks.ts: unchanged lines of the head around their hunks). Steps 1–3 plan them
 * without the widened lines; then, riskiest first, a reviewed and unclipped file gets its widened lines back while
 * they fit what the budget left, the per-file limit, and `contextShare` of the budget in all. So the context never
 * costs a file its review or a hunk, and the estimate counts every line sent.
 *
 * Estimates are summed per file, and each is rounded up, so a chunk's estimate is never below that of its
 * concatenated text. The output depends only on the input: no clocks, no randomness, no locale.
 *
 * The chunks hold prompt copies; anchor findings against the original files (see compressHunks).
 */
export function planChunks(files: readonly DiffFile[], options: PlanChunksOptions): ChunkPlan {
  const { budgetTokens, chunkTokens } = options;
  assertTokens('chunkTokens', chunkTokens, 1);
  assertTokens('budgetTokens', budgetTokens, 0);
  if (options.maxFileTokens !== undefined) assertTokens('maxFileTokens', options.maxFileTokens, 1);
  // A file over chunkTokens could go in no chunk, so the file limit is capped by it.
  const fileLimit = Math.min(options.maxFileTokens ?? chunkTokens, chunkTokens);
  const estimate = options.estimate ?? estimateFileTokens;

  const accepted: Planned[] = [];
  const skipped: SkippedFile[] = [];
  const clipped: ClippedFile[] = [];
  let remaining = budgetTokens;

  const widenedOf = new Map<Planned, DiffFile>();
  for (const original of orderByRisk(files)) {
    const widened = isWidened(original);
    const compressed = compressHunks(widened ? narrowHunks(original) : original);
    let planned: Planned | undefined = { file: compressed, tokens: estimate(compressed) };
    const clip = planned.tokens > fileLimit;
    if (clip) planned = clipByHunks(compressed, fileLimit, estimate);
    if (planned === undefined || planned.tokens > remaining) {
      skipped.push({ path: original.path, reason: 'over-budget' });
      continue;
    }
    remaining -= planned.tokens;
    accepted.push(planned);
    if (clip) clipped.push({ path: original.path, keptHunks: planned.file.hunks.length, totalHunks: original.hunks.length });
    else if (widened) widenedOf.set(planned, original);
  }

  let contextLeft = Math.min(remaining, Math.floor(budgetTokens * (options.contextShare ?? CONTEXT_SHARE)));
  let contextTokens = 0;
  const sent = accepted.map((planned) => {
    const widened = widenedOf.get(planned);
    if (widened === undefined) return planned;
    const file = compressHunks(widened);
    const tokens = estimate(file);
    const extra = tokens - planned.tokens;
    if (extra > contextLeft || tokens > fileLimit) return planned;
    contextLeft -= extra;
    contextTokens += extra;
    return { file, tokens };
  });

  const estimatedTokens = sent.reduce((sum, planned) => sum + planned.tokens, 0);
  return { chunks: pack(sent, chunkTokens), skipped, clipped, estimatedTokens, ...(contextTokens > 0 ? { contextTokens } : {}) };
}

/**
 * The longest run of leading hunks whose estimate fits `limit`, or undefined when not even the first does.
 * Binary search over the hunk count: the estimate of a prefix grows with its length, and each probe renders
 * at most the whole file, so this is O(n log h) and only ever runs for files over the limit.
 */
function clipByHunks(file: DiffFile, limit: number, estimate: (file: DiffFile) => number): Planned | undefined {
  let best: Planned | undefined;
  let low = 1;
  let high = file.hunks.length - 1;
  while (low <= high) {
    const count = Math.floor((low + high) / 2);
    const candidate = { ...file, hunks: file.hunks.slice(0, count) };
    const tokens = estimate(candidate);
    if (tokens <= limit) {
      best = { file: candidate, tokens };
      low = count + 1;
    } else {
      high = count - 1;
    }
  }
  return best;
}

interface Chunk {
  files: DiffFile[];
  tokens: number;
}

function pack(files: readonly Planned[], chunkTokens: number): DiffFile[][] {
  const chunks: Chunk[] = [];
  const chunksOfFolder = new Map<string, Chunk[]>();
  for (const { file, tokens } of files) {
    const folder = folderOf(file.path);
    const fits = (chunk: Chunk) => chunk.tokens + tokens <= chunkTokens;
    let chunk = chunksOfFolder.get(folder)?.find(fits) ?? chunks.find(fits);
    if (chunk === undefined) {
      chunk = { files: [], tokens: 0 };
      chunks.push(chunk);
    }
    chunk.files.push(file);
    chunk.tokens += tokens;
    const known = chunksOfFolder.get(folder);
    if (known === undefined) chunksOfFolder.set(folder, [chunk]);
    else if (!known.includes(chunk)) known.push(chunk);
  }
  return chunks.map((chunk) => chunk.files);
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function assertTokens(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a finite number ≥ ${min}, got ${value}`);
}
