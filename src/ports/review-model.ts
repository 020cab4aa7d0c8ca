import type { ChecklistEntry } from '../review/types.js';
import type { WalkthroughNote } from '../review/walkthrough.js';

export interface ModelRequest {
  model: string;
  /** Agent, skills and checklist: identical for every chunk of a review, so it is the cached prefix. */
  system: string;
  /** The PR under review, framed as data. */
  user: string;
  maxOutputTokens: number;
  /** Read-only repository tools the model may call (tool_choice auto); absent: one single-shot call. */
  tools?: ModelTools;
}

export interface ModelTools {
  /** Tool definitions in the Messages API shape (name, description, input_schema). */
  definitions: { name: string; description: string; input_schema: { type: 'object'; [key: string]: unknown } }[];
  execute: (name: string, input: unknown) => { content: string; isError: boolean } | Promise<{ content: string; isError: boolean }>;
  maxTurns: number;
  maxInputTokens: number;
  /** Input tokens of the calls after the first, summed: what the review's budget leaves after its planned diff. */
  maxTurnInputTokens?: number;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  /** Of `cacheCreationInputTokens`, those written for an hour (billed at the 1-hour write price); absent: none. */
  cacheCreation1hInputTokens?: number;
}

/** The model's answer after schema validation; findings are still raw and validated one by one downstream. */
export interface ModelReview {
  summary: string;
  checklist: ChecklistEntry[];
  /** Raw finding objects: each is validated on its own so one bad finding does not lose the batch. */
  findings: unknown[];
  /** The walkthrough's notes, validated file by file; absent when the call was not asked for them or gave none. */
  walkthrough?: WalkthroughNote[] | undefined;
  usage: ModelUsage;
  model: string;
  stopReason: string | null;
}

/** The verifier's answer: raw scores, parsed by src/review/verify-findings.ts. */
export interface ModelVerification {
  /** The parsed JSON answer (`{ scores: [...] }`), not yet validated. */
  output: unknown;
  usage: ModelUsage;
  model: string;
}

/** A conversation answer (a reply in a review thread, `/review ask`): the parsed JSON, validated by src/review/answer-schema.ts. */
export interface ModelConversation {
  output: unknown;
  usage: ModelUsage;
  model: string;
}

export interface ReviewModel {
  review(request: ModelRequest, signal?: AbortSignal): Promise<ModelReview>;
  /**
   * The verification pass: one call scoring a batch of findings (src/review/verify-findings.ts builds the user
   * turn; the system prompt is the review's, so it is read from cache). Optional: a model without it posts its
   * findings unverified.
   */
  verify?(request: ModelRequest, signal?: AbortSignal): Promise<ModelVerification>;
  /**
   * The exact input tokens of a user turn of `text` for `model` (the count_tokens endpoint: free, rate limited
   * on its own). Optional: a model without it is planned by estimate alone.
   */
  countTokens?(request: { model: string; text: string }): Promise<number>;
  /**
   * One answer in a conversation, as `{ answer, concede }` (src/review/answer-schema.ts), with the agent's tools
   * when the request has them. Optional: a model without it cannot answer, and says so.
   */
  converse?(request: ModelRequest, signal?: AbortSignal): Promise<ModelConversation>;
}
