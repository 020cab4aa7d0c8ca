import type Anthropic from '@anthropic-ai/sdk';

/**
 * Where the provider refuses `output_config` (Vertex AI turns structured outputs off by organisation policy
 * until an administrator allows them: https://docs.cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/structured_outputs),
 * the schema goes at the end of the system prompt instead, and the answer is validated as always.
 */
export function schemaInPrompt(system: string, format: Anthropic.JSONOutputFormat): string {
  return `${system}\n\nAnswer with one JSON object and nothing else (no prose, no code fence). It must match this JSON schema:\n${JSON.stringify(format.schema)}`;
}

/** A model told (not forced) to answer JSON sometimes wraps it in a code fence; the JSON inside is the answer. */
export function unfenced(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return fenced?.[1] ?? text;
}
