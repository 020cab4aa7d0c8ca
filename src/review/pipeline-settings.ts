import type { PriceTable } from './estimate-cost.js';

/** What the operator sets for every review (src/config/env.ts reads it; tests and the CLI build their own). */
export interface PipelineSettings {
  checkName: string;
  maxFiles: number;
  maxOutputTokens: number;
  chunkTokens: number;
  modelConcurrency: number;
  maxInputTokens: number;
  prices: PriceTable;
  dailyBudget: { tokens: number | undefined; usd: number | undefined; autoReviewsPerPullRequest?: number | undefined };
  tools: { maxTurns: number; maxInputTokens: number; snapshotMaxBytes: number; snapshotMaxCompressedBytes: number; callTimeoutMs: number };
  /** The queue's backoff before the first retry (doubling after), to say when a retry will run. */
  retryBackoffMs?: number;
}
