import picomatch from 'picomatch';
import { buildSystem, buildUser, listPullRequestFiles } from './build-prompt.js';
import type { PromptAgent, PromptPullRequest } from './build-prompt.js';
import type { DiffFile } from './types.js';

/**
 * A review's prompts, in build-prompt's two halves: the system prompt is the same for every chunk (the cached
 * prefix), so it is built once; each chunk's user turn (~200 KB on a big PR) only when its call starts, so it can
 * be let go when the call returns. Every chunk lists the files of every chunk: a test reviewed in another chunk is
 * not "missing". The repository's path instructions are compiled once. `walkthrough`: each user turn asks for the
 * walkthrough's notes too (review.walkthrough).
 */
export function chunkPrompts(agent: PromptAgent, chunks: readonly DiffFile[][], pr: PromptPullRequest, instructions: readonly { path: string; text: string }[], walkthrough = false): { system: string; user: (chunk: DiffFile[]) => string } {
  const compiled = instructions.map((instruction) => ({ ...instruction, matches: picomatch(instruction.path, { dot: true }) }));
  const listing = listPullRequestFiles(chunks.flat());
  return { system: buildSystem(agent), user: (chunk) => buildUser(pr, chunk, compiled, listing, walkthrough) };
}
