import type { AgentProvider } from '../../ports/agent-provider.js';
import { providerNote } from '../../render/provider-note.js';
import { providerModelId } from './provider-model-id.js';
import type { ProviderModelIdOptions, ProviderName } from './provider-model-id.js';

/**
 * The agent choice with a note naming the provider and the provider's model id, so the check summary (right under
 * its ledger) says what served the review. The id is the one createProviderModel sends for the agent's model.
 */
export function withProviderNote(agents: AgentProvider, provider: ProviderName, options: ProviderModelIdOptions): AgentProvider {
  if (provider === 'anthropic') return agents;
  return async (input) => {
    const choice = await agents(input);
    const note = providerNote(provider, providerModelId(provider, choice.model, options));
    return note ? { ...choice, notes: [...choice.notes, note] } : choice;
  };
}
