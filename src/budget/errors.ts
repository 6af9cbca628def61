import type { BudgetPeriod } from '../store/types.js';
import { ProxyError } from '../lib/errors.js';
import { formatSpentOf, formatUsd, nanoToUsd } from '../lib/money.js';
import { raiseCapHint } from './raise-hint.js';
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

/**
 * `'summarizer'`, or `'free-daily' for user_id 'u_42'` for one instance of a `per` budget, or
 * `'free-daily' for calls without a user_id` for the instance those calls share.
 */
function budgetWho(block: BlockInfo): string {
  if (block.tagValue !== null) return `'${block.name}' for ${block.per ?? 'tag'} '${block.tagValue}'`;
  return block.per === null ? `'${block.name}'` : `'${block.name}' for calls without a ${block.per}`;
}

/** The human message of a budget refusal for a spent cap: SPEC §5's, then how to raise the cap (raise-hint.ts). */
export function budgetExceededMessage(block: BlockInfo): string {
  const used = `${formatSpentOf(block.spentNano, block.limitNano)} used ${PERIOD_PHRASE[block.period]}`;
  const reset = block.resetAt === null ? 'it does not reset' : `resets ${isoInstant(block.resetAt)}`;
  return `Budget ${budgetWho(block)} exhausted: ${used}; ${reset}; ${raiseCapHint(block)}`;
}

/** The `budget` object of a refusal body: name, limit, spend, period (and the `per` instance). */
function budgetDetails(block: BlockInfo): Record<string, unknown> {
  const budget: Record<string, unknown> = {
    name: block.name,
    limit_usd: nanoToUsd(block.limitNano),
    spent_usd: nanoToUsd(block.spentNano),
    period: block.period,
  };
  // A `per` budget's instance: its tag value, null for the calls without that tag.
  if (block.per !== null || block.tagValue !== null) {
    budget['per'] = block.per;
    budget['tag_value'] = block.tagValue;
  }
  return budget;
}

/**
 * The 429 for a blocked call: kind `budget_exceeded`, the SPEC §5 message, details
 * `{reset_at, budget: {name, limit_usd, spent_usd, period}}` (plus `per`/`tag_value` for a
 * per-tag instance; tag_value null for the calls without the tag), which the provider adapter merges into its own error shape, and
 * headers `Retry-After` (whole seconds to the reset, >= 1; absent for `total` budgets,
 * which never reset) and `x-should-retry: false` so official SDKs raise at once.
 */
export function budgetExceededError(block: BlockInfo): ProxyError {
  const details = { reset_at: block.resetAt === null ? null : isoInstant(block.resetAt), budget: budgetDetails(block) };
  const headers: Record<string, string> = { 'x-should-retry': 'false' };
  if (block.resetAt !== null) headers['Retry-After'] = String(retryAfterSeconds(block.resetAt, block.at));
  return new ProxyError('budget_exceeded', budgetExceededMessage(block), details, headers);
}

/**
 * The output side of the estimate of a call that set no output limit: the tokens one answer is
 * held at, how many answers (`n`), why that many (`learned`: the largest answer the key had
 * from `model` in the output history's 7 days; `window`: the model's context window;
 * `default`: the flat guess for a model without one), and the request's parameter that would
 * hold less (ProviderAdapter.outputLimitParam).
 */
export interface OutputHold {
  tokens: number;
  choices: number;
  source: 'learned' | 'window' | 'default';
  model: string;
  param: string;
}

const HOLD_SOURCE: Record<OutputHold['source'], (model: string) => string> = {
  learned: (model) => ` (the most this key had from ${model} in 7 days)`,
  window: () => " (the model's context window)",
  default: () => '',
};

/**
 * What a busy refusal says of the call's estimate, inside its parentheses: `estimated $8.00`;
 * when the estimate is more than the budget has left, that the call runs only once nothing else
 * is in flight (policy.ts rule 2: it never fits beside another call); and with `hold` (a request
 * without an output limit), the output tokens held and the parameter that would hold less.
 */
export function estimateNote(block: BlockInfo, hold?: OutputHold): string {
  const left = block.limitNano - block.spentNano;
  const alone = block.estimateNano > left ? `, more than the ${formatUsd(left)} left, so it runs only once no other call is in flight` : '';
  if (hold === undefined) return `estimated ${formatUsd(block.estimateNano)}${alone}`;
  const tokens = `${hold.choices > 1 ? `${hold.choices} × ` : ''}${hold.tokens.toLocaleString('en-US')}`;
  return `estimated ${formatUsd(block.estimateNano)}${alone}; no ${hold.param}: ${tokens} output tokens held${HOLD_SOURCE[hold.source](hold.model)}; set ${hold.param} to hold less`;
}

/** Seconds as the message says them: `30 s`, `0.25 s`. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * `$0.15 held by 1 call in flight and 2 waiting`; for a budget shared by replicas the
 * counts are this replica's alone: `… in flight on this replica and 2 waiting`. `waiting`
 * counts the other callers only (BlockInfo.waiting), never the call being refused; a zero
 * count is left out. serve's refusal line (refusal-log.ts) says the same words.
 */
export function heldPhrase(block: BlockInfo): string {
  const inFlight = block.inFlight ?? 0;
  const waiting = block.waiting ?? 0;
  const here = block.shared === undefined ? '' : ' on this replica';
  return `${formatUsd(block.reservedNano)} held by ${inFlight} call${inFlight === 1 ? '' : 's'} in flight${here}` + (waiting > 0 ? ` and ${waiting} waiting` : '');
}

/**
 * The 429 for a call whose budget had room but not beside the calls in flight, and whose
 * wait for them (`budget_admission_wait_ms`; 0 = no wait) ran out: kind `budget_busy`,
 * details `{budget: {name, limit_usd, spent_usd, reserved_usd, in_flight, waiting, period}}`
 * (no `reset_at`: the budget is not spent), and headers `Retry-After: 1` and
 * `x-should-retry: true`, so official SDKs retry it on their own. For a budget shared by
 * replicas the holds and counts are this replica's (the message says so), and when its
 * shared row could not be reached (PostgreSQL away) the message says that is why, and the
 * budget object has `store_unreachable: true`. The message explains the call's estimate
 * (estimateNote; `hold`: its output side, for a request without an output limit).
 */
export function budgetBusyError(block: BlockInfo, waitedMs: number, hold?: OutputHold): ProxyError {
  const used = `${formatSpentOf(block.spentNano, block.limitNano)} used ${PERIOD_PHRASE[block.period]}`;
  const estimate = `this call (${estimateNote(block, hold)})`;
  let message: string;
  if (block.shared?.unreachable === true) {
    const within = waitedMs > 0 ? `within ${seconds(waitedMs)}` : '(budget_admission_wait_ms is 0)';
    message =
      `Budget ${budgetWho(block)} busy: its shared spend could not be read from the database (PostgreSQL did not answer the last lease sync; serve's log has the error), ` +
      `so ${estimate} could not be admitted ${within}. Last known here: ${used}, ${heldPhrase(block)}. Retry shortly; if this goes on, check that the database is up and reachable.`;
  } else {
    const wait = waitedMs > 0 ? `found no room within ${seconds(waitedMs)}` : 'does not fit beside them (budget_admission_wait_ms is 0)';
    message = `Budget ${budgetWho(block)} busy: ${used}, ${heldPhrase(block)}; ${estimate} ${wait}. Retry shortly.`;
  }
  const budget: Record<string, unknown> = { ...budgetDetails(block), reserved_usd: nanoToUsd(block.reservedNano), in_flight: block.inFlight ?? 0, waiting: block.waiting ?? 0 };
  if (block.shared?.unreachable === true) budget['store_unreachable'] = true;
  return new ProxyError('budget_busy', message, { budget }, { 'Retry-After': '1', 'x-should-retry': 'true' });
}

/**
 * The 503 for a call that waited for budget room when the proxy began to shut down: it is
 * never sent (admitted during the grace period, it could be cut at its end while the
 * provider runs and bills it in full). Kind `unavailable`, details `{budget: {name,
 * limit_usd, spent_usd, reserved_usd, in_flight, waiting, period}}` as `budget_busy`, and
 * headers `Retry-After: 1` and `x-should-retry: true`: the SDKs retry it (on another
 * replica behind a load balancer, or on this one once it is back).
 */
export function shuttingDownError(block: BlockInfo): ProxyError {
  const message = `tokometer is shutting down: this call was waiting for room in budget ${budgetWho(block)} (${formatSpentOf(block.spentNano, block.limitNano)} used ${PERIOD_PHRASE[block.period]}, ${heldPhrase({ ...block, waiting: 0 })}) and was not sent to the provider. Retry shortly.`;
  const budget = { ...budgetDetails(block), reserved_usd: nanoToUsd(block.reservedNano), in_flight: block.inFlight ?? 0, waiting: block.waiting ?? 0 };
  return new ProxyError('unavailable', message, { budget }, { 'Retry-After': '1', 'x-should-retry': 'true' });
}

/** The answer to a refused call: `budget_exceeded` for a spent cap, `budget_busy` for a wait that ran out (`hold`: see budgetBusyError). */
export function budgetRefusal(block: BlockInfo, waitedMs: number, hold?: OutputHold): ProxyError {
  return block.reason === 'exhausted' ? budgetExceededError(block) : budgetBusyError(block, waitedMs, hold);
}
