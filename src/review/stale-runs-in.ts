import type { ExistingCheckRun } from '../ports/pull-request-host.js';

/** The runs of a fresh listing still open whose job was found stale (`stale`: their external ids). */
export function staleRunsIn(current: readonly ExistingCheckRun[], stale: ReadonlySet<string>): ExistingCheckRun[] {
  return current.filter((run) => run.status !== 'completed' && run.externalId !== null && stale.has(run.externalId));
}
