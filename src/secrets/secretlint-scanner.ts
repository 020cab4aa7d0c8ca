import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import { AWS_ACCESS_KEY_ID_RULE, awsAccessKeyIdRule } from './aws-access-key-id-rule.js';
import { lastAtOrBefore } from './last-at-or-before.js';

/**
 * The only module that talks to secretlint. It lints many texts in few calls (secretlint costs ~0.2 ms per
 * call before it reads a byte) and hands back, per text, where the secrets are: spans already corrected for
 * secretlint's quirks. Nothing here logs, and nothing of a message's text leaves this module (secretlint puts
 * the raw secret into `message` and `data`).
 */

/**
 * secretlint's profiler (its one process-wide instance) is on by default: each lintSource call leaves a
 * performance mark and measure per rule, kept in the profiler's lists and in the process's performance timeline
 * and never cleared. Nothing here reads them; on a 3,000-file PR that was ~15,000 entries more per review, for
 * good. Off, `mark` returns at once (https://github.com/secretlint/secretlint/issues/1633).
 */
secretLintProfiler.setEnabled(false);

type LintOptions = Parameters<typeof lintSource>[0]['options'];
type LintConfig = LintOptions['config'];
type LintMessage = Awaited<ReturnType<typeof lintSource>>['messages'][number];

const FILTER_COMMENTS = '@secretlint/secretlint-rule-filter-comments';
const AWS = '@secretlint/secretlint-rule-aws';

/**
 * The rules of the recommended preset, with two changes:
 * - `filter-comments` is left out: `secretlint-disable` comments come from the pull request, which is
 *   untrusted; a PR must not be able to switch off the masking of its own content. (The rules are listed one by
 *   one because `disabled: true` on a rule inside a preset's config is ignored by @secretlint/core 13.)
 * - AWS access key ids are reported too (off by default in the preset), by a rule of ours that runs the preset's
 *   pattern for them without its account-id pattern (account ids are not secrets, and that scan is costly); its
 *   matches are reported as the `aws` rule's, like the preset's own would be.
 */
const CONFIG: LintConfig = {
  rules: [
    ...recommendedRules.filter((rule) => rule.meta.id !== FILTER_COMMENTS).map((rule) => ({ id: rule.meta.id, rule })),
    { id: AWS_ACCESS_KEY_ID_RULE, rule: awsAccessKeyIdRule },
  ],
};

/**
 * Which secretlint file name a text is linted under. Some rules only run for some names (npm's `_authToken`
 * rule for `.npmrc`, its x-oauth-basic rule for `package.json`). The name is always a synthetic one: the GCP
 * rule reads the named file from disk for `.p12`, so a PR's path must never reach secretlint.
 */
export type LintKind = 'plain' | 'npmrc' | 'package-json';

const FILE_PATH: Record<LintKind, string> = {
  plain: 'bulwark-scan/diff.txt',
  npmrc: 'bulwark-scan/.npmrc',
  'package-json': 'bulwark-scan/package.json',
};

export function lintKindForPath(path: string): LintKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === '.npmrc') return 'npmrc';
  if (name === 'package.json' || name === 'package-lock.json') return 'package-json';
  return 'plain';
}

export interface ScanText {
  text: string;
  kind: LintKind;
}

/**
 * A text given as its lines (strings, or objects holding one in `text`): scanned as the lines' texts joined by
 * '\n', without that string being built on its own.
 */
export interface ScanLines {
  parts: readonly (string | { readonly text: string })[];
  kind: LintKind;
}

export interface Span {
  start: number;
  end: number;
}

export interface SecretMatch {
  /** Spans to mask, as offsets into the text that was scanned; sorted, non-empty. */
  spans: Span[];
  /** secretlint's rule id, e.g. `@secretlint/secretlint-rule-github`. */
  ruleId: string;
  /** secretlint's message id, e.g. `GITHUB_TOKEN`. */
  messageId: string;
  /** The secret values the rule captured. Sensitive: only for masking and comparing, never for output. */
  values: string[];
}

/**
 * Texts are joined with this between them. The NUL is neither whitespace nor part of any token alphabet, so
 * the PEM, `\s*` and character-class patterns cannot run from one text into the next; the newlines stop `.`.
 */
const SEPARATOR = '\n\u0000\n';
/** Batch size in UTF-16 code units: large enough to amortise secretlint's per-call cost, small enough to stay cheap. */
const BATCH_CHARS = 256 * 1024;
/** `data` fields that describe the match instead of holding the secret. */
const DESCRIPTIVE_DATA = new Set(['typeName', 'FILE_NAME']);
/** How far after the reported start a captured value may sit and still be taken as the rule's match. */
const VALUE_WINDOW = 1024;
const MIN_VALUE_LENGTH = 8;

/** Texts linted together, joined as SEPARATOR + text + SEPARATOR + text …; `text` is only built to be linted. */
interface Batch {
  kind: LintKind;
  indexes: number[];
  starts: number[];
  /** The batch's texts, in order. */
  entries: (ScanText | ScanLines)[];
}

interface BatchText {
  indexes: number[];
  starts: number[];
  text: string;
}

/** Finds the secrets in each text. The result is parallel to `texts`. Rejects if secretlint fails. */
export async function findSecrets(texts: readonly (ScanText | ScanLines)[]): Promise<SecretMatch[][]> {
  const results: SecretMatch[][] = texts.map(() => []);
  // Each batch's text is joined right before it is linted and let go after: a 3,000-file PR's diff is scanned
  // holding one batch of it at a time, not every batch at once.
  for (const planned of makeBatches(texts)) {
    // lintSource never waits on I/O, so a 3,000-file PR would hold the event loop for half a second: webhooks
    // (acknowledged at once otherwise), health checks and the other reviews get a turn between batches.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const batch: BatchText = { indexes: planned.indexes, starts: planned.starts, text: batchText(planned.entries) };
    const result = await lintSource({
      source: { content: batch.text, filePath: FILE_PATH[planned.kind], ext: '.txt', contentType: 'text' },
      options: { config: CONFIG, noPhysicFilePath: true, locale: 'en' },
    });
    for (const message of result.messages) {
      const spans = spansOf(message, batch.text);
      if (!spans) continue;
      for (const piece of splitByText(batch, spans)) {
        const ruleId = message.ruleId === AWS_ACCESS_KEY_ID_RULE ? AWS : message.ruleId;
        results[piece.index]?.push({ spans: piece.spans, ruleId, messageId: message.messageId, values: valuesOf(message) });
      }
    }
  }
  return results;
}

/** The length of a text as scanned (parts joined by '\n'). */
function lengthOf(entry: ScanText | ScanLines): number {
  if ('text' in entry) return entry.text.length;
  let length = entry.parts.length - 1;
  for (const part of entry.parts) length += typeof part === 'string' ? part.length : part.text.length;
  return Math.max(0, length);
}

/**
 * The batch's text: SEPARATOR before each text, its lines joined by '\n'. Appended to one string (a rope V8
 * copies once, when secretlint first reads it): less garbage than collecting the pieces and joining them.
 */
function batchText(entries: readonly (ScanText | ScanLines)[]): string {
  let text = '';
  for (const entry of entries) {
    text += SEPARATOR;
    if ('text' in entry) {
      text += entry.text;
      continue;
    }
    let first = true;
    for (const part of entry.parts) {
      if (!first) text += '\n';
      first = false;
      text += typeof part === 'string' ? part : part.text;
    }
  }
  return text;
}

function makeBatches(texts: readonly (ScanText | ScanLines)[]): Batch[] {
  const open = new Map<LintKind, { indexes: number[]; starts: number[]; entries: (ScanText | ScanLines)[]; length: number }>();
  const batches: Batch[] = [];
  const close = (kind: LintKind): void => {
    const current = open.get(kind);
    if (!current || current.indexes.length === 0) return;
    // The text opens with a separator too: every text then has one before it, and the batch can never start
    // with a byte-order mark (secretlint drops a leading BOM, which would shift every range by one).
    batches.push({ kind, indexes: current.indexes, starts: current.starts, entries: current.entries });
    open.delete(kind);
  };
  texts.forEach((entry, index) => {
    const length = lengthOf(entry);
    if (length === 0) return;
    let current = open.get(entry.kind);
    if (current && current.length + SEPARATOR.length + length > BATCH_CHARS) {
      close(entry.kind);
      current = undefined;
    }
    if (!current) {
      current = { indexes: [], starts: [], entries: [], length: 0 };
      open.set(entry.kind, current);
    }
    current.entries.push(entry);
    current.length += SEPARATOR.length;
    current.indexes.push(index);
    current.starts.push(current.length);
    current.length += length;
  });
  for (const kind of [...open.keys()]) close(kind);
  return batches;
}

/**
 * The spans to mask for one message, in batch offsets. Usually just `range`. Some rules (aws secret access key,
 * npm `_authToken`, x-oauth-basic) report `[matchStart, matchStart + value.length]`, which covers the text
 * before the value and leaves its tail visible: when a captured value sits just after the start and the range
 * has exactly its length, the value's own span replaces the range. Any other value found near the range is
 * masked as well as the range, never instead of it.
 */
function spansOf(message: LintMessage, text: string): Span[] | undefined {
  const range: unknown = message.range;
  if (!Array.isArray(range) || typeof range[0] !== 'number' || typeof range[1] !== 'number') return undefined;
  const start = Math.max(0, Math.min(range[0], text.length));
  const end = Math.max(start, Math.min(range[1], text.length));
  if (end === start) return undefined;
  let rangeIsWrong = false;
  const spans: Span[] = [];
  for (const value of valuesOf(message)) {
    const at = text.indexOf(value, start);
    if (at === -1 || at - start > VALUE_WINDOW) continue;
    spans.push({ start: at, end: at + value.length });
    if (at > start && end - start === value.length) rangeIsWrong = true;
  }
  if (!rangeIsWrong) spans.push({ start, end });
  return mergeSpans(spans);
}

function mergeSpans(spans: Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

function valuesOf(message: LintMessage): string[] {
  const data: unknown = message.data;
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data)
    .filter(([key, value]) => !DESCRIPTIVE_DATA.has(key) && typeof value === 'string' && value.length >= MIN_VALUE_LENGTH)
    .map(([, value]) => value as string);
}

/** Cuts batch spans at text boundaries (separators are dropped) and turns them into per-text offsets. */
function splitByText(batch: BatchText, spans: Span[]): { index: number; spans: Span[] }[] {
  const byText = new Map<number, Span[]>();
  for (const span of spans) {
    for (let position = lastAtOrBefore(batch.starts, span.start); position < batch.starts.length; position += 1) {
      const textStart = batch.starts[position] ?? 0;
      if (textStart >= span.end) break;
      const index = batch.indexes[position] ?? 0;
      const nextStart = batch.starts[position + 1];
      const textEnd = nextStart === undefined ? batch.text.length : nextStart - SEPARATOR.length;
      const start = Math.max(span.start, textStart);
      const end = Math.min(span.end, textEnd);
      if (end <= start) continue;
      const list = byText.get(index) ?? [];
      list.push({ start: start - textStart, end: end - textStart });
      byText.set(index, list);
    }
  }
  return [...byText].map(([index, list]) => ({ index, spans: list }));
}

