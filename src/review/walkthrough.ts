import { z } from 'zod';
import { orderByRisk } from './risk-order.js';
import { WALKTHROUGH_AREAS, walkthroughArea } from './walkthrough-area.js';
import type { WalkthroughArea } from './walkthrough-area.js';

/**
 * The walkthrough (`review.walkthrough`, `/review describe`): the pull request's files grouped by backend area with
 * one line each on what changed, a risk level with the reasons that set it, and what to test before merging. The
 * grouping is decided here from paths; the model gives each file's line, risk and test in the review's own calls.
 */

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Bounds (README "Walkthrough"): at most this many files are described (riskiest first, the rest counted), each
 * text at most WALKTHROUGH_LINE_MAX characters, at most WALKTHROUGH_MAX_REASONS reasons and WALKTHROUGH_MAX_TESTS
 * tests. The rendered comment is bounded as a whole too (render-walkthrough.ts).
 */
export const WALKTHROUGH_MAX_FILES = 40;
export const WALKTHROUGH_LINE_MAX = 160;
export const WALKTHROUGH_MAX_REASONS = 5;
export const WALKTHROUGH_MAX_TESTS = 5;
/**
 * Files the model is asked to describe per call at most (its riskiest first): about 50 output tokens each, so a
 * chunk of many small files does not spend the call's output tokens on the walkthrough.
 */
export const WALKTHROUGH_NOTES_PER_CALL = 30;

/** What the model says about one file, validated, its texts cut to WALKTHROUGH_LINE_MAX. */
export interface WalkthroughNote {
  path: string;
  change: string;
  riskReason?: string | undefined;
  risk: RiskLevel;
  test?: string | undefined;
}

const text = z.string().transform((value) => cutLine(value)).pipe(z.string().min(1));
const optionalText = z.string().optional().transform((value) => (value === undefined || value.trim() === '' ? undefined : cutLine(value)));

/** A note as it is kept (in a chunk's answer, in a checkpoint, in the walkthrough comment's marker): checked again when read back. */
export const walkthroughNoteSchema = z.object({
  path: z.string().min(1).max(4096),
  change: text,
  riskReason: optionalText,
  risk: z.enum(RISK_LEVELS),
  test: optionalText,
});

/** One text on one line, at most WALKTHROUGH_LINE_MAX characters (cut with an ellipsis, never mid-surrogate). */
export function cutLine(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  if (line.length <= WALKTHROUGH_LINE_MAX) return line;
  let cut = line.slice(0, WALKTHROUGH_LINE_MAX - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** One file of the walkthrough: its size from the diff, its note when the model gave one. */
export interface WalkthroughEntry {
  path: string;
  additions: number;
  deletions: number;
  note?: Omit<WalkthroughNote, 'path'> | undefined;
}

export interface Walkthrough {
  /** The head sha it was last updated for. */
  head: string;
  /** In risk order (risk-order.ts), at most WALKTHROUGH_MAX_FILES. */
  entries: WalkthroughEntry[];
  /** The pull request's changed files (GitHub's count) when it was last updated; `entries` describe some of them. */
  changedFiles: number;
}

/** What one review run contributes: its reviewed files (all of them, uncapped) and whether it saw only part of the PR. */
export interface WalkthroughUpdate {
  head: string;
  entries: WalkthroughEntry[];
  changedFiles: number;
  /** An incremental review (only what changed since an earlier one): earlier entries of files it did not review stay. */
  incremental: boolean;
}

/**
 * A run's walkthrough: every file it reviewed, with the model's note for it. A note about a path the run did not
 * review is dropped (the model's paths are not trusted to name files); the first note of a path wins.
 */
export function buildWalkthrough(input: {
  head: string;
  reviewed: readonly { path: string; additions: number; deletions: number }[];
  notes: readonly WalkthroughNote[];
  changedFiles: number;
  incremental: boolean;
}): WalkthroughUpdate {
  const notes = new Map<string, WalkthroughNote>();
  for (const note of input.notes) if (!notes.has(note.path)) notes.set(note.path, note);
  const entries = input.reviewed.map(({ path, additions, deletions }) => {
    const found = notes.get(path);
    return found === undefined ? { path, additions, deletions } : { path, additions, deletions, note: withoutPath(found) };
  });
  return { head: input.head, entries, changedFiles: input.changedFiles, incremental: input.incremental };
}

/** A note as an entry keeps it (the entry names the file). */
export function withoutPath(note: WalkthroughNote): Omit<WalkthroughNote, 'path'> {
  return { change: note.change, risk: note.risk, ...(note.riskReason ? { riskReason: note.riskReason } : {}), ...(note.test ? { test: note.test } : {}) };
}

/**
 * The walkthrough after a run: a full review replaces the earlier one; an incremental one replaces the entries of
 * the files it reviewed (what it says now holds, even when it said nothing) and keeps the others. Then in risk
 * order, cut to WALKTHROUGH_MAX_FILES.
 */
export function updateWalkthrough(previous: Walkthrough | undefined, update: WalkthroughUpdate): Walkthrough {
  const current = new Set(update.entries.map((entry) => entry.path));
  const kept = update.incremental && previous ? previous.entries.filter((entry) => !current.has(entry.path)) : [];
  return { head: update.head, entries: orderByRisk([...update.entries, ...kept]).slice(0, WALKTHROUGH_MAX_FILES), changedFiles: update.changedFiles };
}

const LEVEL_WEIGHT: Readonly<Record<RiskLevel, number>> = { low: 0, medium: 1, high: 2 };

export interface WalkthroughRisk {
  /** The highest risk of any file; undefined when the model gave none. */
  level: RiskLevel | undefined;
  /** The reasons, highest risk first, at most WALKTHROUGH_MAX_REASONS. */
  reasons: { path: string; level: RiskLevel; reason: string }[];
  /** What to test before merging, for the riskiest files first, at most WALKTHROUGH_MAX_TESTS. */
  tests: { path: string; test: string }[];
}

/** The pull request's risk: the riskiest file's level, and the reasons and tests that go with it first. */
export function walkthroughRisk(walkthrough: Walkthrough): WalkthroughRisk {
  const noted = walkthrough.entries.flatMap((entry) => (entry.note ? [{ path: entry.path, note: entry.note }] : []));
  // Stable sort: within a level, the walkthrough's risk order.
  const byLevel = [...noted].sort((a, b) => LEVEL_WEIGHT[b.note.risk] - LEVEL_WEIGHT[a.note.risk]);
  const top = byLevel[0];
  return {
    level: top?.note.risk,
    reasons: byLevel.flatMap(({ path, note }) => (note.riskReason ? [{ path, level: note.risk, reason: note.riskReason }] : [])).slice(0, WALKTHROUGH_MAX_REASONS),
    tests: byLevel.flatMap(({ path, note }) => (note.test ? [{ path, test: note.test }] : [])).slice(0, WALKTHROUGH_MAX_TESTS),
  };
}

/** The entries grouped by area, areas in risk order, empty areas left out. */
export function entriesByArea(walkthrough: Walkthrough): { area: WalkthroughArea; entries: WalkthroughEntry[] }[] {
  const groups = new Map<WalkthroughArea, WalkthroughEntry[]>(WALKTHROUGH_AREAS.map((area) => [area, []]));
  for (const entry of walkthrough.entries) groups.get(walkthroughArea(entry.path))?.push(entry);
  return [...groups].filter(([, entries]) => entries.length > 0).map(([area, entries]) => ({ area, entries }));
}
