import { z } from 'zod';

/**
 * What the model answers in a conversation (a reply in one of Bulwark's review threads, `/review ask`), as
 * structured output: the answer first, then the verdict it leads to, so the model reasons before it concedes.
 */
export const answerSchema = z.object({
  answer: z
    .string()
    .describe(
      'The reply to post, in GitHub Markdown, at most about 200 words: answer the question from the code you were shown (quote the lines that settle it); when you concede, say in a sentence what made the finding wrong or moot.',
    ),
  concede: z
    .boolean()
    .describe(
      'true only when the reply shows, from the code, that the finding is wrong or does not apply (e.g. the caller validates the input), so the thread can be resolved; false otherwise, and always false for a question about the whole pull request.',
    ),
});

export type ModelAnswer = z.infer<typeof answerSchema>;

/** The model's answer, or undefined when it does not have the schema's shape. */
export function parseAnswer(output: unknown): ModelAnswer | undefined {
  const parsed = answerSchema.safeParse(output);
  return parsed.success ? parsed.data : undefined;
}
