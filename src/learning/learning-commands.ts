import type { CommandInput } from '../conversation/command-handlers.js';
import { commandConfig } from '../conversation/converse.js';
import { LEARNING_TEXT_MAX, parseMarkers } from '../render/markers.js';
import {
  renderForgetUnknown,
  renderForgottenAck,
  renderForgotten,
  renderLearnEmpty,
  renderLearningAck,
  renderLearningsList,
  renderLearningOff,
  renderLearnTooLong,
} from '../render/render-learning.js';
import { maskSecretsInText } from '../secrets/index.js';
import { learningReply } from './learning-comments.js';
import { forgetCachedLearning, loadLearning } from './load-learning.js';
import type { LearningDeps } from './load-learning.js';
import { learningsForPrompt } from './prompt-learnings.js';
import { DEFAULT_READ_LIMITS } from './read-learning.js';
import { rejectedFindings } from './rejected-findings.js';

/** What the learning commands use of the conversation runner's input. */
export type LearningCommandInput = Pick<CommandInput, 'host' | 'ref' | 'comment' | 'argument' | 'log'> & { deps: { learning?: LearningDeps | undefined } };

/**
 * `/review learn <text>`: the learning is kept on GitHub, in Bulwark's reply to the comment (its marker holds the
 * id `L<comment id>`, the comment, the text and who taught it), so every replica and the Action read the same.
 * The text is masked for secrets before Bulwark writes it anywhere. A job run twice replies once.
 */
export async function learnCommand(input: LearningCommandInput): Promise<void> {
  const { host, ref, comment, log } = input;
  const text = input.argument.replace(/\s+/g, ' ').trim();
  if (text === '') return host.createComment(ref, renderLearnEmpty());
  if (text.length > LEARNING_TEXT_MAX) return host.createComment(ref, renderLearnTooLong(text.length));
  const id = learningId(comment.id);
  const replied = (await host.listOwnComments(ref)).some((body) => parseMarkers(body).some((marker) => marker.kind === 'learning' && marker.data.id === id));
  if (replied) return log.info({ learning: id }, 'learning already kept; not replying again');
  const masked = await maskSecretsInText(text);
  const { enabled } = (await commandConfig(host, ref)).learning;
  await host.createComment(ref, renderLearningAck({ id, source: comment.id, text: masked.text, by: comment.author.login, enabled }));
  await forgetCachedLearning(ref, learningDeps(input));
  log.info({ learning: id, masked: masked.count }, 'learning kept');
}

/** `/review learnings`: one comment listing everything Bulwark applies in the repository, read fresh from GitHub. */
export async function learningsCommand(input: LearningCommandInput): Promise<void> {
  const { host, ref } = input;
  const config = await commandConfig(host, ref);
  if (!config.learning.enabled) return host.createComment(ref, renderLearningOff());
  const snapshot = await loadLearning(host, ref, learningDeps(input), { fresh: true });
  const rejections = rejectedFindings(snapshot.signals, config.learning.reject_after);
  await host.createComment(ref, renderLearningsList({ learnings: snapshot.learnings, inPrompt: learningsForPrompt(snapshot.learnings).length, rejections }));
}

/**
 * `/review forget <id>`: Bulwark's reply that keeps the learning is edited to say it was forgotten (and by whom),
 * so its marker no longer applies it and the record stays; the cache is cleared so the next review knows.
 */
export async function forgetCommand(input: LearningCommandInput): Promise<void> {
  const { host, ref, comment, log } = input;
  const asked = input.argument.trim().split(/\s+/, 1)[0] ?? '';
  const id = /^L?(\d{1,20})$/i.exec(asked);
  const listing = id ? await host.listRepoComments(ref, (learningDeps(input).limits ?? DEFAULT_READ_LIMITS).commentPages) : undefined;
  const reply = id && listing ? learningReply(listing, `L${id[1]}`) : undefined;
  if (!reply) return host.createComment(ref, renderForgetUnknown(asked));
  await host.updateComment(ref, reply.id, renderForgottenAck({ id: reply.data.id, source: reply.data.source, by: comment.author.login }));
  await forgetCachedLearning(ref, learningDeps(input));
  await host.createComment(ref, renderForgotten(reply.data.id));
  log.info({ learning: reply.data.id }, 'learning forgotten');
}

/** Where learning is cached; without a cache (a runner wired without one), every read goes to GitHub. */
function learningDeps(input: LearningCommandInput): LearningDeps {
  return input.deps.learning ?? { cache: NO_CACHE, ttlMs: 0, log: input.log };
}

const NO_CACHE: LearningDeps['cache'] = { get: async () => undefined, set: async () => undefined, delete: async () => undefined };

/** The id of the learning a `/review learn` comment teaches. */
function learningId(commentId: number): string {
  return `L${commentId}`;
}
