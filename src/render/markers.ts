import { z } from 'zod';

/**
 * Hidden HTML comments that tag every body Bulwark writes, so a later run can recognise its own reviews and
 * comments (which head sha was reviewed, which findings were already posted). GitHub keeps HTML comments in the
 * body but does not render them. The payload is JSON so later versions can add fields without a new format.
 *
 * A marker proves nothing about who wrote the body: callers must also check the author is the app itself.
 */

export const MARKER_PREFIX = 'bulwark:';

const reviewMarkerSchema = z.looseObject({
  head: z.string().min(1).max(100),
  run: z.string().min(1).max(200).optional(),
});

const findingMarkerSchema = z.looseObject({
  fp: z.string().min(1).max(200),
});

const deniedMarkerSchema = z.looseObject({
  user: z.string().min(1).max(100),
});

export type ReviewMarkerData = z.infer<typeof reviewMarkerSchema>;
export type FindingMarkerData = z.infer<typeof findingMarkerSchema>;
export type DeniedMarkerData = z.infer<typeof deniedMarkerSchema>;

export type ParsedMarker =
  | { kind: 'review'; data: ReviewMarkerData }
  | { kind: 'finding'; data: FindingMarkerData }
  /** On the one reply to a user whose `/review` was refused, so they get no second one. */
  | { kind: 'denied'; data: DeniedMarkerData };

export function reviewMarker({ headSha, runId }: { headSha: string; runId?: string | undefined }): string {
  return marker('review', runId === undefined ? { head: headSha } : { head: headSha, run: runId });
}

export function findingMarker({ fingerprint }: { fingerprint: string }): string {
  return marker('finding', { fp: fingerprint });
}

export function deniedMarker({ user }: { user: string }): string {
  return marker('denied', { user });
}

/**
 * `<` and `>` are written as JSON escapes, so no value can contain `-->` and end the comment early; the same
 * property lets the parser stop at the first `>`.
 */
function marker(kind: ParsedMarker['kind'], data: Record<string, string>): string {
  const json = JSON.stringify(data).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');
  return `<!-- ${MARKER_PREFIX}${kind} ${json} -->`;
}

// Bounded payload and no `<`/`>` inside: cheap to scan even on a hostile 64 KB body.
const MARKER_PATTERN = /<!--\s*bulwark:(review|finding|denied)\s+(\{[^<>]{0,2000}\})\s*-->/g;

/** Every well-formed Bulwark marker in `body`, in order; anything malformed is ignored. */
export function parseMarkers(body: string): ParsedMarker[] {
  const markers: ParsedMarker[] = [];
  for (const match of body.matchAll(MARKER_PATTERN)) {
    const parsed = parseMarker(match[1], match[2]);
    if (parsed) markers.push(parsed);
  }
  return markers;
}

// What GitHub would still show as a comment opener followed by our prefix; case-insensitive to be safe.
const MARKER_OPENER = /<!--\s*bulwark:/i;
const FORGED_MARKER = /<!--\s*bulwark:[^\n]*?(?:-->|$)/gim;

export function containsMarker(text: string): boolean {
  return MARKER_OPENER.test(text);
}

/**
 * Removes anything that looks like a Bulwark marker, so untrusted text (model output, PR content) cannot forge
 * one. Repeats until nothing is left, because removing one marker can join the pieces of another.
 */
export function stripMarkers(text: string): string {
  let current = text;
  while (MARKER_OPENER.test(current)) current = current.replace(FORGED_MARKER, '');
  return current;
}

function parseMarker(kind: string | undefined, json: string | undefined): ParsedMarker | undefined {
  const data = parseJson(json ?? '');
  if (kind === 'review') {
    const result = reviewMarkerSchema.safeParse(data);
    return result.success ? { kind, data: result.data } : undefined;
  }
  if (kind === 'finding') {
    const result = findingMarkerSchema.safeParse(data);
    return result.success ? { kind, data: result.data } : undefined;
  }
  if (kind === 'denied') {
    const result = deniedMarkerSchema.safeParse(data);
    return result.success ? { kind, data: result.data } : undefined;
  }
  return undefined;
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
