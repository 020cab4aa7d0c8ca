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
  /** The rule id the finding breaks; absent on findings without one and on markers written before it was added. */
  rule: z.string().min(1).max(80).optional(),
});

const deniedMarkerSchema = z.looseObject({
  user: z.string().min(1).max(100),
});

/** On the one comment that keeps a pull request's automatic reviews paused (edited away on `/review resume`). */
const pauseMarkerSchema = z.looseObject({
  by: z.string().min(1).max(100),
});

/**
 * On Bulwark's answer to a reply in one of its review threads: the reply it answers (exactly one answer per reply),
 * the fingerprint of the thread's finding, and whether the answer conceded it (a learning signal).
 */
const answerMarkerSchema = z.looseObject({
  reply: z.number().int().positive(),
  fp: z.string().max(200),
  conceded: z.boolean(),
});

/** On Bulwark's answer to `/review ask`: the command's comment (exactly one answer per command). */
const askMarkerSchema = z.looseObject({
  comment: z.number().int().positive(),
});

export type PauseMarkerData = z.infer<typeof pauseMarkerSchema>;
export type AnswerMarkerData = z.infer<typeof answerMarkerSchema>;
export type AskMarkerData = z.infer<typeof askMarkerSchema>;
export type ReviewMarkerData = z.infer<typeof reviewMarkerSchema>;
export type FindingMarkerData = z.infer<typeof findingMarkerSchema>;
export type DeniedMarkerData = z.infer<typeof deniedMarkerSchema>;

/** Longest learning a team can teach (`/review learn <text>`): short enough to be read, and to fit its marker. */
export const LEARNING_TEXT_MAX = 300;

const learningMarkerSchema = z.looseObject({
  id: z.string().regex(/^L\d{1,20}$/),
  /** The `/review learn` comment it came from: deleting that comment removes the learning. */
  source: z.number().int().positive(),
  text: z.string().min(1).max(LEARNING_TEXT_MAX).optional(),
  by: z.string().min(1).max(100).optional(),
  /** Set by `/review forget`: the learning is no longer applied (the comment stays, as a record). */
  forgotten: z.boolean().optional(),
});

export type LearningMarkerData = z.infer<typeof learningMarkerSchema>;

export type ParsedMarker =
  | { kind: 'review'; data: ReviewMarkerData }
  | { kind: 'finding'; data: FindingMarkerData }
  /** On the one reply to a user whose `/review` was refused, so they get no second one. */
  | { kind: 'denied'; data: DeniedMarkerData }
  | { kind: 'pause'; data: PauseMarkerData }
  | { kind: 'answer'; data: AnswerMarkerData }
  | { kind: 'ask'; data: AskMarkerData }
  /** On Bulwark's reply to `/review learn`: the learning, kept on GitHub (src/learning). */
  | { kind: 'learning'; data: LearningMarkerData };

export function reviewMarker({ headSha, runId }: { headSha: string; runId?: string | undefined }): string {
  return marker('review', runId === undefined ? { head: headSha } : { head: headSha, run: runId });
}

export function findingMarker({ fingerprint, rule }: { fingerprint: string; rule?: string | undefined }): string {
  return marker('finding', rule === undefined ? { fp: fingerprint } : { fp: fingerprint, rule: rule.slice(0, 80) });
}

export function deniedMarker({ user }: { user: string }): string {
  return marker('denied', { user });
}

export function pauseMarker({ by }: { by: string }): string {
  return marker('pause', { by });
}

/** `<!-- bulwark:answer {"reply":<reply id>,"fp":"<finding fingerprint>","conceded":true|false} -->` */
export function answerMarker({ reply, fingerprint, conceded }: { reply: number; fingerprint: string; conceded: boolean }): string {
  return marker('answer', { reply, fp: fingerprint, conceded });
}

export function askMarker({ comment }: { comment: number }): string {
  return marker('ask', { comment });
}

export function learningMarker(data: LearningMarkerData): string {
  return marker('learning', data);
}

/**
 * On the walkthrough comment (render-walkthrough.ts): the walkthrough itself, so a later review can update the
 * comment instead of repeating it. Its payload may be longer than other markers' (up to WALKTHROUGH_MARKER_MAX
 * characters), so it has a pattern of its own and is not one of parseMarkers' kinds.
 */
export function walkthroughMarker(data: Record<string, unknown>): string {
  return marker('walkthrough', data);
}

export const WALKTHROUGH_MARKER_MAX = 24_000;
const WALKTHROUGH_MARKER_PATTERN = new RegExp(`<!--\\s*bulwark:walkthrough\\s+(\\{[^<>]{0,${WALKTHROUGH_MARKER_MAX}}\\})\\s*-->`);
const WALKTHROUGH_OPENER = /<!--\s*bulwark:walkthrough\s/;

/** Whether `body` is the walkthrough comment (its marker's opener; the payload may still be unreadable). */
export function isWalkthroughBody(body: string): boolean {
  return WALKTHROUGH_OPENER.test(body);
}

/** The walkthrough marker's payload, parsed but not validated; undefined when there is none or it is malformed. */
export function readWalkthroughMarker(body: string): unknown {
  const json = WALKTHROUGH_MARKER_PATTERN.exec(body)?.[1];
  return json === undefined ? undefined : parseJson(json);
}

/**
 * `<` and `>` are written as JSON escapes, so no value can contain `-->` and end the comment early; the same
 * property lets the parser stop at the first `>`.
 */
function marker(kind: ParsedMarker['kind'] | 'walkthrough', data: Record<string, unknown>): string {
  const json = JSON.stringify(data).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');
  return `<!-- ${MARKER_PREFIX}${kind} ${json} -->`;
}

/** Each kind parseMarkers reads, with the schema its payload must pass. */
const MARKER_SCHEMAS: { [K in ParsedMarker['kind']]: z.ZodType<Extract<ParsedMarker, { kind: K }>['data']> } = {
  review: reviewMarkerSchema,
  finding: findingMarkerSchema,
  denied: deniedMarkerSchema,
  pause: pauseMarkerSchema,
  answer: answerMarkerSchema,
  ask: askMarkerSchema,
  learning: learningMarkerSchema,
};

// Bounded payload and no `<`/`>` inside: cheap to scan even on a hostile 64 KB body.
const MARKER_PATTERN = new RegExp(`<!--\\s*bulwark:(${Object.keys(MARKER_SCHEMAS).join('|')})\\s+(\\{[^<>]{0,2000}\\})\\s*-->`, 'g');

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
  if (kind === undefined || !Object.hasOwn(MARKER_SCHEMAS, kind)) return undefined;
  const result = MARKER_SCHEMAS[kind as ParsedMarker['kind']].safeParse(parseJson(json ?? ''));
  return result.success ? ({ kind, data: result.data } as ParsedMarker) : undefined;
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
