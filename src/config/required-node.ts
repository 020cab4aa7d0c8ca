/**
 * The oldest Node.js Bulwark runs on (package.json `engines`, .nvmrc). Older versions fail far from the cause:
 * Node 20 lacks `Map.groupBy` and `require(esm)`, and the test suite ends in a hundred unexplained failures.
 */
export const REQUIRED_NODE = { major: 22, minor: 12 } as const;

/** One line naming the required version when `version` (process.versions.node) is older; undefined otherwise. */
export function nodeVersionProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > REQUIRED_NODE.major || (major === REQUIRED_NODE.major && minor >= REQUIRED_NODE.minor)) return undefined;
  return `Bulwark needs Node.js ${REQUIRED_NODE.major}.${REQUIRED_NODE.minor} or newer (24 LTS recommended; see .nvmrc); this is Node.js ${version}.`;
}
