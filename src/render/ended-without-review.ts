/**
 * Whether a completed Bulwark check run, by the title render-outcome.ts gave it, ended without reviewing the code:
 * skipped, failed, stopped (given up), an invalid config, or a daily limit. Such a run settles nothing about its
 * head: a pull request marked ready or reopened after it is reviewed. The titles are this module's neighbours'
 * (render-check.ts, render-limit.ts, render-config-problems.ts); test/unit/ended-without-review.test.ts renders
 * every outcome to keep them in step.
 */
export function endedWithoutReview(title: string | null | undefined): boolean {
  return title !== null && title !== undefined && /^(?:Review (?:skipped|failed|stopped):|Invalid \.github\/)/.test(title);
}
