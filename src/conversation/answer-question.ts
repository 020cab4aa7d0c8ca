import { parseMarkers } from '../render/markers.js';
import { renderQuestionAnswer, renderQuestionFailed, renderQuestionMissing, renderQuestionOverBudget } from '../render/render-answer.js';
import { buildPullRequestQuestion } from '../review/build-answer-prompt.js';
import { buildUser, listPullRequestFiles } from '../review/build-prompt.js';
import { planChunks } from '../review/plan-chunks.js';
import { retryOf } from '../review/retry-of.js';
import { selectFiles } from '../review/select-files.js';
import { maskSecretsInText, scanSecrets } from '../secrets/index.js';
import type { CommandInput } from './command-handlers.js';
import { answerContext, answerLimit, converse } from './converse.js';

/**
 * `/review ask <question>`: one comment answering a question about the whole pull request, from its diff as a
 * review shows it (the files worth reviewing, in risk order, masked for secrets, within one call's budget), under
 * the agent's standards. Marked with the command's comment: a redelivery or a retry posts nothing more.
 */
export async function answerQuestion(input: CommandInput): Promise<void> {
  const { host, ref, comment, deps, log, control } = input;
  if (await answered(input)) return log.info({ comment: comment.id }, 'question already answered');
  if (input.argument.trim() === '') return post(input, renderQuestionMissing(comment.id));
  const limit = await answerLimit(input);
  if (limit) return post(input, renderQuestionOverBudget(comment.id, limit));
  let answer;
  let omitted: number;
  try {
    const context = await answerContext(input);
    const { config, pr } = context;
    const selection = selectFiles(await host.listFiles(ref), { include: config.paths.include, exclude: config.paths.exclude, maxFiles: deps.settings.maxFiles });
    const redacted = await scanSecrets({ files: selection.files, title: pr.title, body: pr.body });
    // One call: the files that fit the chunk budget (and the repository's), riskiest first.
    const budgetTokens = Math.min(deps.settings.chunkTokens, config.budget.max_input_tokens, deps.settings.maxInputTokens);
    const plan = planChunks(redacted.files, { budgetTokens, chunkTokens: budgetTokens });
    const shown = plan.chunks.flat();
    omitted = redacted.files.length - shown.length;
    const data = buildUser({ title: redacted.title, body: redacted.body }, shown, [], listPullRequestFiles(redacted.files));
    const question = await maskSecretsInText(input.argument);
    answer = await converse(input, context, buildPullRequestQuestion({ author: comment.author.login, bulwark: false, body: question.text }, data, omitted));
  } catch (error) {
    const retry = retryOf(error, control, 'retryable failure answering a question');
    if (retry) throw retry;
    log.warn({ err: error }, 'could not answer a question');
    return post(input, renderQuestionFailed(comment.id, error instanceof Error ? error.message : 'the model did not answer.'));
  }
  await post(input, renderQuestionAnswer(comment.id, answer.answer, omitted));
  log.info({ comment: comment.id, omitted }, 'question answered');
}

async function answered({ host, ref, comment }: CommandInput): Promise<boolean> {
  return (await host.listOwnComments(ref)).some((body) => parseMarkers(body).some((marker) => marker.kind === 'ask' && marker.data.comment === comment.id));
}

/** Posts the one answer, after looking again (the model call takes a while; another run may have answered). */
async function post(input: CommandInput, body: string): Promise<void> {
  if (await answered(input)) return input.log.info({ comment: input.comment.id }, 'question answered meanwhile; not posting again');
  await input.host.createComment(input.ref, body);
}
