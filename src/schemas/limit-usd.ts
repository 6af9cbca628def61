import type { z } from 'zod';
import { plainUsd, subNanoLimitProblem } from '../lib/money.js';

/**
 * A `limit_usd` refinement the config file and the admin API share: a positive limit under
 * one nano-dollar (a cap of 0 once stored) is refused with lib/money.ts subNanoLimitProblem's
 * words, which `keys create/set --budget` uses too.
 */
export function refuseSubNano(usd: number, ctx: z.RefinementCtx): void {
  const problem = subNanoLimitProblem(usd, plainUsd(usd));
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
}
