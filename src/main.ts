import { nodeVersionProblem } from './config/required-node.js';

/**
 * `npm start`. The Node version is checked before anything else loads: on an older Node the App would fail far
 * from the cause (Node 20 has no `Map.groupBy`).
 */
const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
await import('./start-app.js');
