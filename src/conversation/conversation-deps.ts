import type { Logger } from '../ports/logger.js';
import type { PipelineDeps } from '../ports/pipeline-deps.js';
import type { PullRequestHost } from '../ports/pull-request-host.js';

/** What the conversation runner runs on: the review's dependencies, and who the App is. */
export interface ConversationDeps extends PipelineDeps {
  hostFor: (installationId: number) => Promise<PullRequestHost>;
  log: Logger;
  /**
   * The App's slug (its comments are by `<slug>[bot]`; people mention it as `@<slug>`), looked up once. Only the
   * App's own comments count as Bulwark's: any bot can write a marker.
   */
  appSlug: () => Promise<string>;
}
