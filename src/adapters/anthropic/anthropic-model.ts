import Anthropic from '@anthropic-ai/sdk';
import type { ModelConversation, ModelRequest, ModelReview, ModelUsage, ModelVerification, ReviewModel } from '../../ports/review-model.js';
import { ServiceError } from '../../ports/service-error.js';
import { modelEnvelopeSchema, modelOutputSchema, validateChecklist, validateWalkthrough } from '../../review/findings-schema.js';
import { verificationSchema } from '../../review/verify-findings.js';
import { answerSchema } from '../../review/answer-schema.js';
import { outputFormat } from './output-format.js';
import { toServiceError } from './to-service-error.js';
import { schemaInPrompt, unfenced } from './schema-in-prompt.js';
import { runToolLoop } from './tool-loop.js';

export interface AnthropicModelOptions {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** Explicit, because the SDK's 10-minute default is far longer than a review should wait. */
  timeoutMs: number;
  /** SDK retries 408, 409, 429 and >= 500 (529 overloaded included) and honours retry-after. */
  maxRetries: number;
  /**
   * How long the cached system prompt lives: 5 minutes (writes at 1.25× the input price) or an hour (2×), for
   * repositories reviewed again within the hour. Each read refreshes it.
   */
  cacheTtl?: '5m' | '1h';
}

/**
 * The JSON schema sent as `output_config.format` (output-format.ts keeps every field's description); arrival is
 * validated by us, finding by finding.
 */
const OUTPUT_FORMAT = outputFormat(modelOutputSchema);
const VERIFY_FORMAT = outputFormat(verificationSchema);
const ANSWER_FORMAT = outputFormat(answerSchema);

export function createAnthropicClient(options: AnthropicModelOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey ?? null,
    baseURL: options.baseUrl ?? null,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
}

/** `structuredOutputs: false`: no `output_config`; the schema is in the system prompt (schema-in-prompt.ts). */
export function createAnthropicModel(client: Anthropic, options: { cacheTtl?: '5m' | '1h'; structuredOutputs?: boolean } = {}): ReviewModel {
  const cacheControl = systemCacheControl(options.cacheTtl);
  const structured = options.structuredOutputs ?? true;
  const systemFor = (system: string, format: Anthropic.JSONOutputFormat) => (structured ? system : schemaInPrompt(system, format));
  const outputConfig = (format: Anthropic.JSONOutputFormat) => (structured ? { output_config: { format } } : {});
  /** One answer in `format`: through the tool loop when the agent has tools, else a single call. */
  async function answer(request: ModelRequest, format: Anthropic.JSONOutputFormat, signal?: AbortSignal): Promise<{ message: Anthropic.Message; usage: ModelUsage }> {
    if (request.tools && request.tools.definitions.length > 0) {
      const looped = await runToolLoop(
        client,
        {
          model: request.model,
          maxTokens: request.maxOutputTokens,
          system: systemFor(request.system, format),
          user: request.user,
          ...(structured ? { outputFormat: format } : {}),
          cacheControl,
          tools: request.tools.definitions,
          execute: request.tools.execute,
        },
        {
          maxTurns: request.tools.maxTurns,
          maxInputTokens: request.tools.maxInputTokens,
          ...(request.tools.maxTurnInputTokens === undefined ? {} : { maxTurnInputTokens: request.tools.maxTurnInputTokens }),
        },
        signal,
      );
      return { message: looped.message, usage: looped.usage };
    }
    let message: Anthropic.Message;
    try {
      message = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system: [{ type: 'text', text: systemFor(request.system, format), cache_control: cacheControl }],
          messages: [{ role: 'user', content: request.user }],
          ...outputConfig(format),
        },
        signal ? { signal } : {},
      );
    } catch (error) {
      throw toServiceError(error);
    }
    return { message, usage: usageOf(message) };
  }
  return {
    async verify(request: ModelRequest, signal?: AbortSignal): Promise<ModelVerification> {
      const { message, usage } = await answer(request, VERIFY_FORMAT, signal);
      checkStop(message);
      let output: unknown;
      try {
        output = JSON.parse(unfenced(textOf(message)));
      } catch {
        throw new ServiceError('anthropic', 'The verification answer is not valid JSON.', { retryable: false });
      }
      return { output, usage, model: message.model };
    },

    async converse(request: ModelRequest, signal?: AbortSignal): Promise<ModelConversation> {
      const { message, usage } = await answer(request, ANSWER_FORMAT, signal);
      if (message.stop_reason === 'refusal' || message.stop_reason === 'max_tokens') {
        throw new ServiceError('anthropic', `The model stopped without an answer (stop reason: ${message.stop_reason}).`, { retryable: false });
      }
      try {
        return { output: JSON.parse(unfenced(textOf(message))), usage, model: message.model };
      } catch {
        throw new ServiceError('anthropic', 'The answer is not valid JSON.', { retryable: true });
      }
    },

    async review(request: ModelRequest, signal?: AbortSignal): Promise<ModelReview> {
      if (request.tools && request.tools.definitions.length > 0) {
        const looped = await runToolLoop(
          client,
          {
            model: request.model,
            maxTokens: request.maxOutputTokens,
            system: systemFor(request.system, OUTPUT_FORMAT),
            user: request.user,
            ...(structured ? { outputFormat: OUTPUT_FORMAT } : {}),
            cacheControl,
            tools: request.tools.definitions,
            execute: request.tools.execute,
          },
          {
            maxTurns: request.tools.maxTurns,
            maxInputTokens: request.tools.maxInputTokens,
            ...(request.tools.maxTurnInputTokens === undefined ? {} : { maxTurnInputTokens: request.tools.maxTurnInputTokens }),
          },
          signal,
        );
        return { ...readReview(looped.message), usage: looped.usage };
      }
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(
          {
            model: request.model,
            max_tokens: request.maxOutputTokens,
            // The system prompt is the same for every chunk and every review of the repo: mark it as the cached prefix.
            system: [{ type: 'text', text: systemFor(request.system, OUTPUT_FORMAT), cache_control: cacheControl }],
            messages: [{ role: 'user', content: request.user }],
            ...outputConfig(OUTPUT_FORMAT),
          },
          signal ? { signal } : {},
        );
      } catch (error) {
        throw toServiceError(error);
      }
      return readReview(message);
    },

    async countTokens({ model, text }: { model: string; text: string }): Promise<number> {
      let counted: Anthropic.MessageTokensCount;
      try {
        // An optimisation, not a condition of the review: one try, and not the review's long timeout.
        counted = await client.messages.countTokens({ model, messages: [{ role: 'user', content: text }] }, { maxRetries: 0, timeout: COUNT_TIMEOUT_MS });
      } catch (error) {
        throw toServiceError(error);
      }
      if (!Number.isSafeInteger(counted.input_tokens) || counted.input_tokens < 0) {
        throw new ServiceError('anthropic', 'count_tokens answered without a token count.', { retryable: false });
      }
      return counted.input_tokens;
    },
  };
}

/** The system prompt's breakpoint: the API's default TTL (5 minutes) unless an hour is asked for. */
function systemCacheControl(ttl: '5m' | '1h' | undefined): Anthropic.CacheControlEphemeral {
  return ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' };
}

/** count_tokens answers in well under a second; a review does not wait long for it. */
const COUNT_TIMEOUT_MS = 15_000;

function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
}

function usageOf(message: Anthropic.Message): ModelUsage {
  return {
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
    cacheCreation1hInputTokens: message.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}

function checkStop(message: Anthropic.Message): void {
  if (message.stop_reason === 'refusal' || message.stop_reason === 'max_tokens') {
    throw new ServiceError('anthropic', `The verification call stopped without an answer (stop reason: ${message.stop_reason}).`, { retryable: false });
  }
}

function readReview(message: Anthropic.Message): ModelReview {
  if (message.stop_reason === 'refusal') {
    throw new ServiceError('anthropic', 'The model declined to review this change (stop reason: refusal).', { retryable: false });
  }
  if (message.stop_reason === 'max_tokens') {
    throw new ServiceError(
      'anthropic',
      'The model ran out of output tokens before finishing the review (stop reason: max_tokens). Raise BULWARK_MAX_OUTPUT_TOKENS or review fewer files at once.',
      { retryable: false },
    );
  }
  const text = message.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('');
  const envelope = parseEnvelope(text);
  const walkthrough = validateWalkthrough(envelope.walkthrough);
  return {
    summary: envelope.summary,
    checklist: validateChecklist(envelope.checklist),
    findings: envelope.findings,
    ...(walkthrough.length > 0 ? { walkthrough } : {}),
    usage: {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
      cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
      cacheCreation1hInputTokens: message.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
    },
    model: message.model,
    stopReason: message.stop_reason,
  };
}

function parseEnvelope(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(unfenced(text));
  } catch {
    throw new ServiceError('anthropic', 'The model answered with output that is not valid JSON.', { retryable: true });
  }
  const parsed = modelEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new ServiceError('anthropic', 'The model answered without the findings list the schema requires.', { retryable: true });
  }
  return parsed.data;
}

