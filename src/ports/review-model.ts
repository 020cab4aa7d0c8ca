import type { ChecklistEntry } from '../review/types.js';

export interface ModelRequest {
  model: string;
  /** Agent, skills and checklist: identical for every chunk of a review, so it is the cached prefix. */
  system: string;
  /** The PR under review, framed as data. */
  user: string;
  maxOutputTokens: number;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** The model's answer after schema validation; findings are still raw and validated one by one downstream. */
export interface ModelReview {
  summary: string;
  checklist: ChecklistEntry[];
  /** Raw finding objects: each is validated on its own so one bad finding does not lose the batch. */
  findings: unknown[];
  usage: ModelUsage;
  model: string;
  stopReason: string | null;
}

export interface ReviewModel {
  review(request: ModelRequest, signal?: AbortSignal): Promise<ModelReview>;
}
