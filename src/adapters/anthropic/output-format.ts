import type Anthropic from '@anthropic-ai/sdk';
import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';
import { z } from 'zod';

/**
 * The JSON schema sent as `output_config.format` (https://platform.claude.com/docs/en/build-with-claude/structured-outputs),
 * with every `.describe()` text the zod schema has, optional fields included.
 *
 * Why not the SDK's `zodOutputFormat`: it converts with `reused: 'ref'`, which moves each optional field's inner
 * schema into `$defs` and leaves the field a bare `$ref`, so the description given on the optional field is lost
 * (end_line, side, rule, suggestion, options reached the model undescribed). Converting with the schemas inlined
 * (zod's default) and then applying the SDK's own transform (which moves the constraints the API does not accept
 * into the description) keeps them.
 */
export function outputFormat(schema: z.ZodType): Anthropic.JSONOutputFormat {
  return { type: 'json_schema', schema: transformJSONSchema(z.toJSONSchema(schema) as Record<string, unknown>) };
}
