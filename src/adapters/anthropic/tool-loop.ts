import type Anthropic from '@anthropic-ai/sdk';
import type { ModelUsage } from '../../ports/review-model.js';
import { ServiceError } from '../../ports/service-error.js';
import { toServiceError } from './to-service-error.js';

/**
 * The review call when the agent may look at the repository: Read, Grep and Glob run against the PR's head
 * snapshot until the model answers. The final answer still arrives as the structured findings
 * (`output_config.format`; the docs allow it and tools "independently or together in the same request":
 * https://platform.claude.com/docs/en/build-with-claude/structured-outputs): the model calls tools, and its
 * end_turn text is the JSON.
 *
 * `tool_choice` is always `auto`: the newest models reject forced tool choice (and temperature, and prefill),
 * so nothing here relies on them.
 *
 * When a budget runs out the tools stay declared and the last call is told, inside the tool_results, that the
 * budget is spent and the JSON is due now: at the turn cap the last round of tool calls is still run and
 * its results carry that note; at the token cap the pending calls are not run and are answered by `is_error`
 * results saying so. Why not drop the tools for that last call: every request whose history holds tool_use or
 * tool_result blocks must define tools ("Requests which include tool_use or tool_result blocks must define
 * tools.", https://github.com/anthropics/anthropic-sdk-python/issues/494), and every tool_use must be answered
 * by a tool_result in the very next user message
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/handle-tool-calls), so the calls cannot be
 * left unanswered either. Changing `tools` would also invalidate the cached prefix (tools → system →
 * messages). The request goes inside the tool_result rather than as a text block after it: text placed right
 * after tool results teaches the model to end its turn empty
 * (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons, "empty responses"). If the model
 * still asks for tools on that last call, the loop throws `ToolBudgetExhaustedError`.
 */

export interface ToolCallResult {
  content: string;
  isError: boolean;
}

export interface ToolLoopParams {
  model: string;
  maxTokens: number;
  /** Sent as one text block marked as the cached prefix (with the tools, which come before it). */
  system: string;
  user: string;
  /** Absent: no `output_config` (the provider refuses it; the schema is in the system prompt). */
  outputFormat?: Anthropic.JSONOutputFormat;
  /** The system prompt's cache breakpoint (its TTL is the operator's); the conversation's own use the default. */
  cacheControl?: Anthropic.CacheControlEphemeral;
  tools: Anthropic.Tool[];
  /** Runs one tool call. Throwing is tolerated (it becomes an is_error result), but should not happen. */
  execute: (name: string, input: unknown) => ToolCallResult | Promise<ToolCallResult>;
}

export interface ToolLoopLimits {
  /**
   * Model calls at most, the last one included (at least 2). Tool calls asked for by calls 1 … maxTurns-1
   * are run; the results of the round asked for by call maxTurns-1 carry the "budget spent" note, so call
   * maxTurns must answer.
   */
  maxTurns: number;
  /**
   * Input tokens (uncached + cache writes + cache reads) summed over the calls so far. Once reached, the
   * pending tool calls are not run (answered "budget spent") and the next call is the last. A soft cap: that
   * last call adds its own input.
   */
  maxInputTokens: number;
  /**
   * Input tokens of the tool turns (every call after the first), summed: what the review's budget
   * (`budget.max_input_tokens`) leaves after its planned diff, which the first call carries. Once reached, like
   * `maxInputTokens`: the pending calls are not run and the next call is the last. Absent: no limit but
   * `maxInputTokens`.
   */
  maxTurnInputTokens?: number;
}

export const DEFAULT_TOOL_LOOP_LIMITS: ToolLoopLimits = { maxTurns: 8, maxInputTokens: 400_000 };

export interface ToolLoopResult {
  /** The last message: the one carrying the answer (or the stop reason the caller must handle). */
  message: Anthropic.Message;
  /** Summed over every call. */
  usage: ModelUsage;
  /** Model calls made. */
  turns: number;
  /** Tool calls run (calls answered "budget spent" without running are not counted). */
  toolCalls: number;
}

/** The model kept calling tools after it was told the budget was spent. Not retryable: a rerun costs the same. */
export class ToolBudgetExhaustedError extends ServiceError {
  readonly turns: number;
  readonly toolCalls: number;

  constructor(turns: number, toolCalls: number) {
    super('anthropic', `The model kept asking for repository tools after its budget was spent (${turns} calls, ${toolCalls} tool calls).`, {
      retryable: false,
    });
    this.name = 'ToolBudgetExhaustedError';
    this.turns = turns;
    this.toolCalls = toolCalls;
  }
}

/** The whole tool_result of a call not run because the token budget is spent. */
export const BUDGET_EXHAUSTED_RESULT =
  'Not run: the repository tool budget for this review is spent. Do not call any more tools. ' +
  'Answer now with the final JSON review, based on what you have already seen.';

/** Appended to the results of the last round of tool calls the turn cap allows. */
export const LAST_ROUND_NOTE =
  '[Tool budget spent: these are the last tool results of this review. Do not call any more tools; answer now with the final JSON review.]';

export async function runToolLoop(
  client: Anthropic,
  params: ToolLoopParams,
  limits: Partial<ToolLoopLimits> = {},
  signal?: AbortSignal,
): Promise<ToolLoopResult> {
  const maxTurns = Math.max(2, Math.floor(limits.maxTurns ?? DEFAULT_TOOL_LOOP_LIMITS.maxTurns));
  const maxInputTokens = limits.maxInputTokens ?? DEFAULT_TOOL_LOOP_LIMITS.maxInputTokens;
  const maxTurnInputTokens = limits.maxTurnInputTokens ?? Number.POSITIVE_INFINITY;
  let firstCallInput: number | undefined;
  const usage: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: params.user }];
  let turns = 0;
  let toolCalls = 0;
  let exhausted = false;
  // Rolling cache breakpoints on the last tool_result of the two latest user turns, so each call reads the
  // conversation so far from cache even when a turn adds more blocks than the cache lookback covers. With the
  // system block that makes 3 of the 4 breakpoints a request may carry.
  const breakpoints: Anthropic.ToolResultBlockParam[] = [];

  for (;;) {
    const message = await create(client, params, messages, signal);
    turns += 1;
    addUsage(usage, message.usage);

    if (message.stop_reason !== 'tool_use') return { message, usage, turns, toolCalls };
    if (exhausted) throw new ToolBudgetExhaustedError(turns, toolCalls);

    const calls = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    const spent = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
    firstCallInput ??= spent;
    const overTokens = spent >= maxInputTokens || spent - firstCallInput >= maxTurnInputTokens;
    // Either way the next call is the last one: it must answer.
    exhausted = overTokens || turns + 1 >= maxTurns;

    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      if (signal?.aborted) throw new ServiceError('anthropic', 'The model call was cancelled.', { retryable: false, cause: signal.reason });
      let outcome: ToolCallResult;
      if (overTokens) {
        outcome = { content: BUDGET_EXHAUSTED_RESULT, isError: true };
      } else {
        outcome = await runOne(params, call);
        toolCalls += 1;
        if (exhausted) outcome = { content: `${outcome.content}\n\n${LAST_ROUND_NOTE}`, isError: outcome.isError };
      }
      results.push({
        type: 'tool_result',
        tool_use_id: call.id,
        content: outcome.content === '' ? '(no output)' : outcome.content,
        ...(outcome.isError ? { is_error: true } : {}),
      });
    }
    if (results.length === 0) {
      // stop_reason tool_use without a client tool_use block: nothing to answer, so nothing to continue.
      return { message, usage, turns, toolCalls };
    }

    const newest = results[results.length - 1];
    if (newest) {
      newest.cache_control = { type: 'ephemeral' };
      breakpoints.push(newest);
      if (breakpoints.length > 2) delete breakpoints.shift()?.cache_control;
    }

    messages.push({ role: 'assistant', content: message.content });
    messages.push({ role: 'user', content: results });
  }
}

async function create(
  client: Anthropic,
  params: ToolLoopParams,
  messages: Anthropic.MessageParam[],
  signal: AbortSignal | undefined,
): Promise<Anthropic.Message> {
  try {
    return await client.messages.create(
      {
        model: params.model,
        max_tokens: params.maxTokens,
        system: [{ type: 'text', text: params.system, cache_control: params.cacheControl ?? { type: 'ephemeral' } }],
        messages,
        tools: params.tools,
        tool_choice: { type: 'auto' },
        ...(params.outputFormat ? { output_config: { format: params.outputFormat } } : {}),
      },
      signal ? { signal } : {},
    );
  } catch (error) {
    throw toServiceError(error);
  }
}

async function runOne(params: ToolLoopParams, call: Anthropic.ToolUseBlock): Promise<ToolCallResult> {
  try {
    return await params.execute(call.name, call.input);
  } catch (error) {
    return { content: `The ${call.name} tool failed (${error instanceof Error ? error.message : 'unknown error'}).`, isError: true };
  }
}

function addUsage(total: ModelUsage, usage: Anthropic.Usage): void {
  total.inputTokens += usage.input_tokens;
  total.outputTokens += usage.output_tokens;
  total.cacheCreationInputTokens += usage.cache_creation_input_tokens ?? 0;
  total.cacheReadInputTokens += usage.cache_read_input_tokens ?? 0;
  total.cacheCreation1hInputTokens = (total.cacheCreation1hInputTokens ?? 0) + (usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
}
