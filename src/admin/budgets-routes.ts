import { z } from 'zod';
import { nanoToUsd } from '../lib/money.js';
import type { BudgetState } from '../budget/types.js';
import type { OutgoingResponse } from '../proxy/types.js';
import { invalidBody } from './body-issues.js';
import type { AdminDeps } from './deps.js';
import { badRequest, json, notFound } from './http.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * One budget instance as JSON; money in USD (from integer nano-USD), times ISO-8601 UTC.
 * `reserved_usd`/`in_flight`: estimates held by calls admitted and not yet settled;
 * `waiting`: callers this budget holds back until those settle (budget admission).
 */
export function budgetStateJson(s: BudgetState): Record<string, unknown> {
  return {
    name: s.name,
    kind: s.kind,
    per: s.per,
    tag_value: s.tagValue,
    spent_usd: nanoToUsd(s.spentNano),
    reserved_usd: nanoToUsd(s.reservedNano),
    in_flight: s.inFlight,
    waiting: s.waiting,
    limit_usd: nanoToUsd(s.limitNano),
    remaining_usd: nanoToUsd(Math.max(0, s.limitNano - s.spentNano)),
    period: s.period,
    period_start: iso(s.periodStart),
    reset_at: iso(s.resetAt),
    soft: s.soft,
    blocked: s.blocked,
  };
}

/**
 * `GET /admin/budgets[?name=N][&kind=key|tag]`: every budget instance, key budgets first.
 * With replicas on PostgreSQL the spend of a shared budget is its shared row's, read now
 * (BudgetService.sharedSnapshot): every replica answers the same.
 */
export async function listBudgets(deps: AdminDeps, query: URLSearchParams): Promise<OutgoingResponse> {
  const name = query.get('name');
  const kind = query.get('kind');
  if (kind !== null && kind !== 'key' && kind !== 'tag') throw badRequest('invalid_query', `kind must be key or tag, got '${kind}'.`);
  const states = ((await deps.budgets?.sharedSnapshot()) ?? []).filter((s) => (name === null || s.name === name) && (kind === null || s.kind === kind));
  return json(200, { budgets: states.map(budgetStateJson) });
}

const resetInput = z.strictObject({
  kind: z.enum(['key', 'tag']).optional(),
  /** A `per` instance; null = the `(none)` instance; omitted = every instance. */
  tag_value: z.string().nullable().optional(),
});

/**
 * Refuses a reset with a query string: `?tag_value=u7` read as no body would reset every
 * value of the budget, a wider reset than asked. The answer names the body field to use.
 */
function refuseQuery(name: string, query: URLSearchParams): void {
  const keys = [...new Set(query.keys())];
  if (keys.length === 0) return;
  const example = JSON.stringify({ tag_value: query.get('tag_value') ?? '<value>' });
  throw badRequest(
    'invalid_query',
    `POST /admin/budgets/${name}/reset takes no query string (got ${keys.join(', ')}): name the instance in the JSON body, e.g. ${example}; a reset without a body clears every value of the budget.`,
  );
}

/**
 * `POST /admin/budgets/<name>/reset` with an optional `{"kind", "tag_value"}` body and no
 * query string. The answer's `cleared_at` is when the spend was cleared (it was `reset_at`,
 * which everywhere else is when the period ends); `cleared_usd` the spend cleared (with
 * replicas on PostgreSQL, across them: budget/reset-target.ts clearedSpend).
 */
export async function resetBudget(deps: AdminDeps, name: string, body: unknown, query: URLSearchParams = new URLSearchParams()): Promise<OutgoingResponse> {
  refuseQuery(name, query);
  const parsed = resetInput.safeParse(body, { reportInput: true });
  if (!parsed.success) throw invalidBody(parsed.error.issues);
  if (deps.budgets === null) throw notFound('budget_not_found', `No budget named '${name}'.`);
  const input = parsed.data;
  const result = await deps.budgets.reset({ name, ...(input.kind ? { kind: input.kind } : {}), ...(input.tag_value !== undefined ? { tagValue: input.tag_value } : {}) }, 'admin');
  if (!result.ok) {
    if (result.reason === 'ambiguous') throw badRequest('ambiguous_budget', `Both a key and a tag budget are named '${name}': pass {"kind":"key"} or {"kind":"tag"}.`);
    throw notFound('budget_not_found', `No budget named '${name}'.`);
  }
  return json(200, {
    reset: {
      name: result.name,
      kind: result.kind,
      tag_value: result.tagValue,
      all_values: result.allValues,
      period: result.period,
      period_start: iso(result.periodStart),
      cleared_at: iso(result.resetAt),
      cleared_usd: nanoToUsd(result.clearedNano),
    },
  });
}
