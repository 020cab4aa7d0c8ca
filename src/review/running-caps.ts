import type { ReviewJob } from '../ports/job-queue.js';

/**
 * Reviews allowed to run at once in one repository and in one installation (with Redis, across every replica), so
 * one repository's burst leaves room for the others; 0 is no cap.
 */
export interface RunningCaps {
  perRepository: number;
  perInstallation: number;
}

export const NO_CAPS: RunningCaps = { perRepository: 0, perInstallation: 0 };

export type CapName = 'repository' | 'installation';

/** GitHub's owner and repository names are case-insensitive: `Acme/API` and `acme/api` share one cap. */
export function repositoryKey(job: Pick<ReviewJob, 'installationId' | 'owner' | 'repo'>): string {
  return `${job.installationId}/${job.owner.toLowerCase()}/${job.repo.toLowerCase()}`;
}

export function installationKey(job: Pick<ReviewJob, 'installationId'>): string {
  return String(job.installationId);
}

/** The cap that holds a job back, given the reviews already running in its repository and installation; undefined: it may run. */
export function capReached(running: { repository: number; installation: number }, caps: RunningCaps): CapName | undefined {
  if (caps.perRepository > 0 && running.repository >= caps.perRepository) return 'repository';
  if (caps.perInstallation > 0 && running.installation >= caps.perInstallation) return 'installation';
  return undefined;
}
