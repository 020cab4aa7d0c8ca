/** The daily limit that stopped a review before the model was asked, and when (ms since epoch) its count starts again. */
export type SpendLimit =
  | { kind: 'installation-tokens'; limit: number; resetsAt: number }
  | { kind: 'installation-usd'; limit: number; resetsAt: number }
  | { kind: 'pull-request-reviews'; limit: number; resetsAt: number };
