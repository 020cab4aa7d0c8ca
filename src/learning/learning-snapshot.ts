import { z } from 'zod';

/**
 * What Bulwark has learned about one repository, read back from GitHub (src/learning/read-learning.ts): the team's
 * verdicts on findings Bulwark posted, and the learnings it was taught with `/review learn`. Plain data, so it
 * can be cached (in memory, or in Redis for every replica) and checked again when read back.
 */

/** How a verdict was given. */
const SIGNAL_KINDS = ['thumbs-down', 'thumbs-up', 'resolved', 'conceded'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** One verdict on one posted finding. */
export interface FeedbackSignal {
  /** The finding's fingerprint (src/review/fingerprint.ts), from the marker of Bulwark's comment. */
  fp: string;
  /** The rule id the finding broke, when its comment names one. */
  rule?: string | undefined;
  /** The finding's title, for listing it (`/review learnings`). */
  title?: string | undefined;
  verdict: 'rejected' | 'accepted';
  kind: SignalKind;
  /** Who gave it (a person with write access); absent when Bulwark conceded in a thread. */
  by?: string | undefined;
  /** The Bulwark comment it is about (or its answer that conceded). */
  url: string;
}

/** A learning taught with `/review learn`, kept on Bulwark's reply (`bulwark:learning` marker). */
export interface Learning {
  /** `L<id of the /review learn comment>`. */
  id: string;
  /** Secrets masked (src/secrets) before it is kept or used. */
  text: string;
  /** Who taught it. */
  by: string | undefined;
  /** The `/review learn` comment. */
  sourceId: number;
  sourceUrl: string;
  /** Bulwark's reply that keeps it. */
  ackId: number;
  ackUrl: string;
}

export interface LearningSnapshot {
  signals: FeedbackSignal[];
  /** Newest first. */
  learnings: Learning[];
}

const signalSchema = z.object({
  fp: z.string().min(1).max(200),
  rule: z.string().min(1).max(80).optional(),
  title: z.string().max(300).optional(),
  verdict: z.enum(['rejected', 'accepted']),
  kind: z.enum(SIGNAL_KINDS),
  by: z.string().min(1).max(100).optional(),
  url: z.string().max(2000),
});

const learningSchema = z.object({
  id: z.string().regex(/^L\d{1,20}$/),
  text: z.string().min(1).max(2000),
  by: z.string().min(1).max(100).optional(),
  sourceId: z.number().int().positive(),
  sourceUrl: z.string().max(2000),
  ackId: z.number().int().positive(),
  ackUrl: z.string().max(2000),
});

const snapshotSchema = z.object({ signals: z.array(signalSchema).max(10_000), learnings: z.array(learningSchema).max(1_000) });

/** A snapshot read back from a cache (Redis is shared, so its content is checked like any input); undefined when it does not fit. */
export function parseLearningSnapshot(value: unknown): LearningSnapshot | undefined {
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return {
    signals: parsed.data.signals,
    learnings: parsed.data.learnings.map((learning) => ({ ...learning, by: learning.by })),
  };
}
