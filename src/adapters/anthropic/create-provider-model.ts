import type { ModelRequest, ReviewModel } from '../../ports/review-model.js';
import { ServiceError } from '../../ports/service-error.js';
import { createAnthropicModel } from './anthropic-model.js';
import { createProviderClient, ProviderSdkMissingError } from './create-provider-client.js';
import type { ProviderClientOptions } from './create-provider-client.js';
import { providerModelId } from './provider-model-id.js';
import type { ProviderModelIdOptions } from './provider-model-id.js';

export interface ProviderModelOptions extends ProviderClientOptions, ProviderModelIdOptions {
  cacheTtl?: '5m' | '1h';
  /** False where the provider refuses `output_config` (BULWARK_STRUCTURED_OUTPUTS=off). */
  structuredOutputs?: boolean;
}

/**
 * The review model on the chosen provider. Each request's model id is mapped to the provider's (provider-model-id.ts)
 * and the answer names the id that served it, so the check run's ledger shows it.
 *
 * Token counting: Bedrock serves no count_tokens endpoint (its SDK removes `messages.countTokens`), so on Bedrock
 * the model has no `countTokens` and reviews are planned by estimate alone, as when the count fails. Vertex counts
 * through `count-tokens:rawPredict`. Prompt caching is asked for in the same way everywhere.
 */
export function createProviderModel(options: ProviderModelOptions): ReviewModel {
  let loaded: Promise<ReviewModel> | undefined;
  const model = (): Promise<ReviewModel> =>
    (loaded ??= createProviderClient(options).then(
      (client) => createAnthropicModel(client, { ...(options.cacheTtl ? { cacheTtl: options.cacheTtl } : {}), structuredOutputs: options.structuredOutputs ?? true }),
      (error: unknown) => {
        loaded = undefined;
        // Not retryable: the next attempt would find the package missing all the same.
        if (error instanceof ProviderSdkMissingError) throw new ServiceError('anthropic', error.message, { retryable: false, cause: error });
        throw error;
      },
    ));
  const idOf = (id: string) => providerModelId(options.provider, id, options);
  const onProvider = (request: ModelRequest): ModelRequest => ({ ...request, model: idOf(request.model) });
  // The Anthropic API names the model it ran; the clouds are asked for an id of their own, which is what served it.
  const served = <T extends { model: string }>(answer: T, id: string): T => (options.provider === 'anthropic' ? answer : { ...answer, model: id });

  return {
    async review(request, signal) {
      const sent = onProvider(request);
      return served(await (await model()).review(sent, signal), sent.model);
    },
    async verify(request, signal) {
      const inner = await model();
      if (!inner.verify) throw new ServiceError('anthropic', 'This model adapter cannot verify findings.', { retryable: false });
      const sent = onProvider(request);
      return served(await inner.verify(sent, signal), sent.model);
    },
    async converse(request, signal) {
      const inner = await model();
      if (!inner.converse) throw new ServiceError('anthropic', 'This model adapter cannot answer questions.', { retryable: false });
      const sent = onProvider(request);
      return served(await inner.converse(sent, signal), sent.model);
    },
    ...(options.provider === 'bedrock'
      ? {}
      : {
          async countTokens({ model: id, text }: { model: string; text: string }): Promise<number> {
            const inner = await model();
            if (!inner.countTokens) throw new ServiceError('anthropic', 'This model adapter cannot count tokens.', { retryable: false });
            return inner.countTokens({ model: idOf(id), text });
          },
        }),
  };
}
