export type { AgentFileReader } from './agent-file-reader.js';
export { agentChecklist } from './agent-checklist.js';
export {
  DEFAULT_AGENT_NAME,
  REPO_AGENT_DIRS,
  discoverAgent,
  loadAgentFile,
  type DiscoverAgentOptions,
  type DiscoveredAgent,
  type LoadAgentContext,
} from './discover-agent.js';
export { bundledDir, createFsReader } from './fs-reader.js';
export { loadBundledAgent, type LoadBundledAgentOptions } from './load-bundled-agent.js';
export { HONOURED_FIELDS, detectFormat, fileStem, parseAgentFile, type ParseAgentOptions } from './parse-agent-file.js';
export { parseSkillFile, ruleIdsOf, type SkillParseResult } from './parse-skill-file.js';
export {
  CURRENT_MODELS,
  DEFAULT_OPERATOR_MODEL,
  MODEL_PRICES,
  normalizeModelId,
  resolveModel,
  type ModelPrice,
  type ModelTier,
  type ResolveModelOptions,
} from './resolve-model.js';
export { BUNDLED_PREFIX, resolveSkills, type SkillResolution } from './resolve-skills.js';
export { normalizeTools, type ToolSelection } from './normalize-tools.js';
export * from './types.js';
