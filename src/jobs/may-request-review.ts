import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef, RepoPermission } from '../ports/pull-request-host.js';

/** Who may spend the operator's model budget on request: a `/review` command, Re-run, the Re-review button. */
export const REVIEW_REQUEST_PERMISSIONS: readonly RepoPermission[] = ['admin', 'maintain', 'write'];

/**
 * Whether `login` may ask for a review by hand, from the collaborator permission API. A Re-run or Re-review request
 * comes from whoever GitHub let press the button; it is checked here, before any check run or model call (the
 * issue's item 7), like a command.
 */
export async function mayRequestReview(host: PullRequestHost, ref: PullRequestRef, login: string | undefined, log: Logger): Promise<boolean> {
  if (!login) return false;
  const permission = await host.getPermission(ref, login);
  const allowed = REVIEW_REQUEST_PERMISSIONS.includes(permission);
  if (!allowed) log.info({ login, permission }, 'review request refused: not enough permission');
  return allowed;
}
