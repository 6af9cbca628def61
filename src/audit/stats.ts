import type { NanoUsd } from '../lib/money.js';
import type { Usage } from '../providers/types.js';
import type { AuditCall } from './calls.js';
import type { AuditContext, Fact } from './types.js';

/** Small numeric helpers shared by the detectors. */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** The audit's unit of "per month": 30 days. */
export const MONTH_MS = 30 * DAY_MS;

/**
 * Nearest-rank percentile of `values` (need not be sorted): the smallest value such that
 * at least p% of the values are ≤ it, i.e. sorted[ceil(p/100 · n) − 1]. p in (0, 100].
 * Always one of the values (no interpolation), so hand checks are exact. NaN when empty.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Cost of `usage` on `model` (default: the call's own) at the call's time, nano-USD; null when unpriced. */
export function priceAs(ctx: AuditContext, call: AuditCall, usage: Usage, model = call.model): NanoUsd | null {
  const r = ctx.pricer.price(usage, { provider: call.provider, model, at: call.ts });
  return r.priced ? r.costNano : null;
}

/**
 * What the call would have cost less with `changed` usage (and/or another model), from the
 * same price catalog on both sides: price(actual) − price(changed). 0 when either side is
 * unpriced. Counterfactual savings use this difference rather than the stored cost so that
 * both sides share one price basis.
 */
export function repricedSaving(ctx: AuditContext, call: AuditCall & { usage: Usage }, changed: Usage, model?: string): NanoUsd {
  const before = priceAs(ctx, call, call.usage);
  const after = priceAs(ctx, call, changed, model);
  return before === null || after === null ? 0 : before - after;
}

/** Fact helpers: one line each in the detectors. */
export const fact = {
  tokens: (key: string, label: string, value: number): Fact => ({ key, label, value, unit: 'tokens' }),
  count: (key: string, label: string, value: number): Fact => ({ key, label, value, unit: 'count' }),
  usd: (key: string, label: string, nano: NanoUsd): Fact => ({ key, label, value: nano, unit: 'nano' }),
  share: (key: string, label: string, value: number): Fact => ({ key, label, value, unit: 'share' }),
  ms: (key: string, label: string, value: number): Fact => ({ key, label, value, unit: 'ms' }),
  time: (key: string, label: string, at: number): Fact => ({ key, label, value: at, unit: 'time' }),
  text: (key: string, label: string, value: string): Fact => ({ key, label, value, unit: 'text' }),
};

/** The median, 95th percentile (nearest rank, see percentile) and largest of `values`. */
export function spread(values: readonly number[]): { p50: number; p95: number; max: number } {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: maxOf(values) };
}

/** Largest value (−Infinity when empty); safe for arrays too long to spread into Math.max. */
export function maxOf(values: Iterable<number>): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** a / b, or 0 when b is 0. */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** "1,234" for messages. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A length of time for messages: "40 minutes", "5.5 hours", "2.3 days" (the first unit that gives at least 1). */
export function spanText(ms: number): string {
  if (ms < 3_600_000) return `${Math.round(ms / MINUTE_MS)} minutes`;
  if (ms < DAY_MS) return `${(ms / 3_600_000).toFixed(1)} hours`;
  return `${(ms / DAY_MS).toFixed(1)} days`;
}
