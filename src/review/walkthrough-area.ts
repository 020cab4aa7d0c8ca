import { OTHER_TIER, RISK_TIERS, riskRank } from './risk-order.js';

/** The backend areas a walkthrough groups files by: the planner's risk tiers (risk-order.ts), in our words. */
export type WalkthroughArea = 'routes' | 'auth' | 'data' | 'config' | 'other' | 'tests';

/** Each risk tier's area. A tier added to risk-order.ts without one here fails at load (WALKTHROUGH_AREAS below). */
const AREA_OF_TIER: Readonly<Record<number, WalkthroughArea>> = { 0: 'routes', 1: 'auth', 2: 'data', 3: 'config', [OTHER_TIER.tier]: 'other', 5: 'tests' };

/**
 * The areas in the planner's risk order (routes and handlers, auth, data access and migrations, config and
 * infrastructure, other, tests last), so a walkthrough reads riskiest first, as the review spent its budget.
 */
export const WALKTHROUGH_AREAS: readonly WalkthroughArea[] = [...RISK_TIERS.map((entry) => entry.tier), OTHER_TIER.tier]
  .sort((a, b) => a - b)
  .map((tier) => areaOfTier(tier));

/** The area of a changed file, from its path alone (the same globs that order the review). */
export function walkthroughArea(path: string): WalkthroughArea {
  return areaOfTier(riskRank(path).tier);
}

function areaOfTier(tier: number): WalkthroughArea {
  const area = AREA_OF_TIER[tier];
  // Only reachable if risk-order.ts gains a tier: a bug to fix here, not a file to misfile.
  if (area === undefined) throw new Error(`No walkthrough area for risk tier ${tier}`);
  return area;
}
