import type { StepUsage, Usage } from '../providers/types.js';
import type { CostBreakdown, PriceResult } from './types.js';

/** The token counts a step takes out of the call's counts, each with its name in the error of a step that does not fit. */
const STEP_COUNTS = [
  ['inputTokens', 'input tokens'],
  ['outputTokens', 'output tokens'],
  ['cacheReadTokens', 'cache read tokens'],
  ['cacheWrite5mTokens', '5-minute cache write tokens'],
  ['cacheWrite1hTokens', '1-hour cache write tokens'],
] as const;

/**
 * The call's last step: `usage` without its compaction steps' tokens (Usage.compactions are
 * in its counts), with every other field (web searches, modifiers, advisors) kept, its
 * reasoning tokens clamped to its output. An error names the first count the steps exceed.
 */
function lastStep(usage: Usage, steps: readonly StepUsage[]): { ok: true; usage: Usage } | { ok: false; reason: string } {
  const rest: Usage = { ...usage };
  delete rest.compactions;
  for (const [field, name] of STEP_COUNTS) {
    const taken = steps.reduce((n, s) => n + s[field], 0);
    if (!Number.isSafeInteger(taken) || taken > usage[field]) {
      return { ok: false, reason: `inconsistent usage: compaction steps (${taken} ${name}) exceed the call's ${name} (${usage[field]})` };
    }
    rest[field] = usage[field] - taken;
  }
  rest.reasoningTokens = Math.min(usage.reasoningTokens, rest.outputTokens);
  return { ok: true, usage: rest };
}

/** A step's counts as a Usage of its own: no reasoning split (its thinking is in output), no per-use fees. */
export function stepAsUsage(step: StepUsage): Usage {
  const { inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens } = step;
  return { inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens, reasoningTokens: 0 };
}

/**
 * The call's own cost when it ran sampling steps billed as requests of their own
 * (`usage.compactions`: Anthropic compaction iterations, each "its own sampling request"),
 * in nano-USD: the call's last step (its counts less every step's) and each step priced by
 * `priceOne` on its own counts, so a long-context tier (input above 200,000 tokens, cache
 * included) applies to the step whose own input passes it, never to their sum. `priceOne`
 * prices at the call's model, time and billing conditions (service tier, US-only, fast
 * mode): the steps run on the call's model under the call's settings. Each part is rounded to
 * nano-USD on its own, as each is billed on its own; the breakdown adds the parts' dimensions.
 * The tier note (if any) is the last step's. Steps the counts cannot hold, or a step that does
 * not price, leave the call unpriced with that reason.
 *
 * Without steps this is `priceOne(usage)`.
 */
export function priceInSteps(usage: Usage, priceOne: (usage: Usage) => PriceResult): PriceResult {
  const steps = usage.compactions;
  if (steps === undefined || steps.length === 0) return priceOne(usage);
  const last = lastStep(usage, steps);
  if (!last.ok) return { priced: false, reason: last.reason };
  const own = priceOne(last.usage);
  if (!own.priced) return own;
  let costNano = own.costNano;
  const breakdown: CostBreakdown = { ...own.breakdown };
  for (const step of steps) {
    const r = priceOne(stepAsUsage(step));
    if (!r.priced) return r;
    costNano += r.costNano;
    for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] += r.breakdown[k];
  }
  return { ...own, costNano, breakdown };
}
