import type { BudgetPeriod } from '../store/types.js';
import { ProxyError } from '../lib/errors.js';
import { formatUsd, nanoToUsd } from '../lib/money.js';
import type { BlockInfo } from './types.js';

const PERIOD_PHRASE: Record<BudgetPeriod, string> = {
  day: 'today',
  week: 'this week',
  month: 'this month',
  total: 'in total',
};

/** ms since the epoch → `2026-12-01T00:00:00Z` (RFC 3339, UTC, milliseconds only when non-zero). */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Whole seconds from `at` until `resetAt`, at least 1 (the Retry-After value). */
export function retryAfterSeconds(resetAt: number, at: number): number {
  return Math.max(1, Math.ceil((resetAt - at) / 1000));
}

/** The human message of a budget refusal (SPEC §5). */
export function budgetExceededMessage(block: BlockInfo): string {
  const who = block.tagValue === null ? `'${block.name}'` : `'${block.name}' for ${block.per ?? 'tag'} '${block.tagValue}'`;
  let used = `${formatUsd(block.spentNano)} of ${formatUsd(block.limitNano)} used ${PERIOD_PHRASE[block.period]}`;
  if (block.reason === 'reserved') used += `, ${formatUsd(block.reservedNano)} more held by calls in flight`;
  const reset = block.resetAt === null ? 'it does not reset' : `resets ${isoInstant(block.resetAt)}`;
  return `Budget ${who} exhausted: ${used}; ${reset}`;
}

/**
 * The 429 for a blocked call: kind `budget_exceeded`, the SPEC §5 message, details
 * `{reset_at, budget: {name, limit_usd, spent_usd, period}}` (plus `per`/`tag_value` for a
 * per-tag instance), which the provider adapter merges into its own error shape, and
 * headers `Retry-After` (whole seconds to the reset, >= 1; absent for `total` budgets,
 * which never reset) and `x-should-retry: false` so official SDKs raise at once.
 */
export function budgetExceededError(block: BlockInfo): ProxyError {
  const budget: Record<string, unknown> = {
    name: block.name,
    limit_usd: nanoToUsd(block.limitNano),
    spent_usd: nanoToUsd(block.spentNano),
    period: block.period,
  };
  if (block.tagValue !== null) {
    budget['per'] = block.per;
    budget['tag_value'] = block.tagValue;
  }
  const details = { reset_at: block.resetAt === null ? null : isoInstant(block.resetAt), budget };
  const headers: Record<string, string> = { 'x-should-retry': 'false' };
  if (block.resetAt !== null) headers['Retry-After'] = String(retryAfterSeconds(block.resetAt, block.at));
  return new ProxyError('budget_exceeded', budgetExceededMessage(block), details, headers);
}
