import type { CheckAction, CheckRunCompletion } from '../ports/pull-request-host.js';
import { RE_REVIEW_ACTION } from '../ports/pull-request-host.js';
import type { ReviewOutcome } from '../review/review-outcome.js';
import { GAVE_UP_RETRY_HINT, renderCheckOutput, renderFailureOutput, renderGaveUpOutput, renderUnreadOutput } from './render-check.js';
import type { FailedService, RenderedCheckOutput } from './render-check.js';
import { renderConfigProblems } from './render-config-problems.js';
import { renderLedger } from './render-ledger.js';
import { renderSpendLimitOutput } from './render-limit.js';
import { renderNotes } from './render-notes.js';
import { renderSkip } from './render-skip.js';

/** The "Re-review" button on a completed check (https://docs.github.com/en/rest/checks/runs#check-runs-and-requested-actions). */
export const RE_REVIEW: CheckAction[] = [{ label: 'Re-review', description: 'Review this commit again', identifier: RE_REVIEW_ACTION }];

export interface OutcomeCompletion extends CheckRunCompletion {
  conclusion: Exclude<CheckRunCompletion['conclusion'], 'cancelled'>;
  actions: CheckAction[];
  output: Omit<RenderedCheckOutput, 'annotations'> & { annotations?: RenderedCheckOutput['annotations'] };
}

const FAILED_STAGE = { anthropic: 'model review', github: 'GitHub', config: 'configuration', redis: 'configuration', internal: 'review' } as const;

/** How a run ended, as the check run's completion: conclusion, output (with annotations for a review) and the button. */
export function renderOutcome(outcome: ReviewOutcome): OutcomeCompletion {
  const done = (conclusion: OutcomeCompletion['conclusion'], output: OutcomeCompletion['output']): OutcomeCompletion => ({ conclusion, output, actions: RE_REVIEW });
  switch (outcome.kind) {
    case 'skipped':
      return done('skipped', renderSkip(outcome.why));
    case 'config-invalid':
      return done('neutral', renderConfigProblems(outcome.file, outcome.problems));
    case 'over-budget':
      return done('neutral', renderSpendLimitOutput(outcome.limit));
    case 'unread':
      return done(outcome.blocking ? 'failure' : 'neutral', renderUnreadOutput(outcome.skipped));
    case 'reviewed': {
      const ledger = [renderLedger(outcome.ledger), ...renderNotes(outcome.notes).map((note) => `> ${note}`)].join('\n\n');
      return done(outcome.conclusion, renderCheckOutput(outcome.result, outcome.conclusion, { durationMs: outcome.durationMs, ledger, unlisted: outcome.unlisted }));
    }
    case 'failed': {
      const service: FailedService = outcome.service === 'redis' ? 'internal' : outcome.service;
      const message = outcome.message ?? 'Bulwark hit an internal error; the details are in its logs.';
      return done('neutral', renderFailureOutput({ stage: FAILED_STAGE[outcome.service], service, message, retryHint: GAVE_UP_RETRY_HINT }));
    }
    case 'gave-up':
      return done(outcome.reason.kind === 'superseded' ? 'skipped' : 'neutral', renderGaveUpOutput(outcome.reason));
  }
}
