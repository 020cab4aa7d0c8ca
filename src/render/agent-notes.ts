import type { LoadedAgent } from '../agents/types.js';
import { codeSpan, sanitizeInline } from './sanitize-text.js';

const NAME_MAX = 100;
const WARNING_MAX = 500;

/**
 * The check summary's notes on the agent that reviewed. Its name, file, model ids, skill and tool names come from
 * files in the repository, so each goes through `codeSpan` (names, paths) or `sanitizeInline` (warnings, which
 * quote those values): none can close a code span and post a mention, HTML or a link.
 */
export function agentNotes(agent: LoadedAgent): string[] {
  const span = (text: string) => codeSpan(text.slice(0, NAME_MAX));
  const skills = agent.skills.found.map((skill) => span(skill.name)).join(', ') || 'none';
  const requested = agent.model.requested ? ` (asked for ${span(agent.model.requested)})` : '';
  return [
    `Agent ${span(agent.name)} from ${codeSpan(agent.file.slice(0, 300))} (${agent.format}); model ${span(agent.model.resolved)}${requested}; skills: ${skills}.`,
    ...(agent.model.warning ? [`Model: ${sanitizeInline(agent.model.warning, WARNING_MAX)}`] : []),
    ...(agent.skills.missing.length ? [`Missing skills (not loaded): ${agent.skills.missing.map(span).join(', ')}.`] : []),
    ...(agent.tools.ignored.length ? [`Tools ignored (never run by Bulwark): ${agent.tools.ignored.map(span).join(', ')}.`] : []),
    ...(agent.warnings ?? []).map((warning) => sanitizeInline(warning, WARNING_MAX)),
  ];
}
