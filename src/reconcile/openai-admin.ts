import { usdToNano, type NanoUsd } from '../lib/money.js';
import { AdminApiError, type AdminClient } from './http.js';
import { child, count, reportRows, text } from './pages.js';
import type { ProviderCost, ProviderReport, ProviderUsage, RateKey } from './types.js';

/**
 * OpenAI's organization usage and cost reports (admin key, `Authorization: Bearer`):
 * `GET /v1/organization/usage/completions` and `/usage/embeddings` (per UTC day × model:
 * num_model_requests, input_tokens with input_cached_tokens inside, output_tokens) and
 * `GET /v1/organization/costs` grouped by line item (`amount.value` in USD). Line items
 * read `<model>, <kind>` (`gpt-4o-2024-08-06, cached input`); the kind names the price.
 */

/** Buckets per page: the most the usage endpoints take for 1d buckets, and the costs endpoint's. */
const USAGE_LIMIT = '31';
const COSTS_LIMIT = '180';

const KIND_RATES: Readonly<Record<string, RateKey>> = {
  input: 'input',
  'uncached input': 'input',
  'cached input': 'cached_input',
  output: 'output',
};

export async function fetchOpenAiReport(client: AdminClient, window: { since: number; until: number }): Promise<ProviderReport> {
  const range = { start_time: String(Math.floor(window.since / 1000)), end_time: String(Math.ceil(window.until / 1000)), bucket_width: '1d' };
  const usageQuery = new URLSearchParams({ ...range, limit: USAGE_LIMIT });
  usageQuery.append('group_by[]', 'model');
  const costQuery = new URLSearchParams({ ...range, limit: COSTS_LIMIT });
  costQuery.append('group_by[]', 'line_item');

  const completions = await reportRows(client, 'usage/completions', '/v1/organization/usage/completions', usageQuery, 'start_time', usageRow);
  const embeddings = await reportRows(client, 'usage/embeddings', '/v1/organization/usage/embeddings', usageQuery, 'start_time', usageRow);
  const costs = await reportRows(client, 'costs', '/v1/organization/costs', costQuery, 'start_time', costRow);
  const usage = [...completions, ...embeddings];
  return { usage, costs, requestCounts: true };
}

function usageRow(day: number, r: Record<string, unknown>, where: string): ProviderUsage {
  const input = count(r, 'input_tokens', where);
  const cached = count(r, 'input_cached_tokens', where);
  if (cached > input) throw new AdminApiError(`${where}: input_cached_tokens ${cached} exceeds input_tokens ${input}`);
  return {
    day,
    model: text(r, 'model', where) ?? '(unknown)',
    requests: count(r, 'num_model_requests', where),
    tokens: { input, cachedInput: cached, cacheWrite5m: 0, cacheWrite1h: 0, output: count(r, 'output_tokens', where) },
  };
}

function costRow(day: number, r: Record<string, unknown>, where: string): ProviderCost {
  const amount = child(r, 'amount', where);
  const currency = text(amount, 'currency', `${where}.amount`);
  if (currency !== null && currency.toLowerCase() !== 'usd') {
    throw new AdminApiError(`${where}.amount is in ${currency}; reconcile compares USD only`);
  }
  const label = text(r, 'line_item', where);
  return { day, ...parseLineItem(label), label: label ?? '(no line item)', costNano: usdToNanoExact(amount.value, `${where}.amount.value`) };
}

/**
 * `gpt-4o-2024-08-06, cached input` → that model, cached_input. A kind about input or
 * output tokens makes it a token cost (priced per kind when the kind is one of ours);
 * anything else keeps the whole label as a model guess.
 */
export function parseLineItem(label: string | null): Pick<ProviderCost, 'model' | 'rate' | 'tokenCost'> {
  if (label === null) return { model: null, rate: null, tokenCost: false };
  const m = /^(.+),\s*([^,]+)$/.exec(label.trim());
  const kind = m?.[2]?.trim().toLowerCase();
  if (m && kind !== undefined && /\b(input|output)\b/.test(kind)) return { model: m[1]!.trim(), rate: KIND_RATES[kind] ?? null, tokenCost: true };
  return { model: label.trim(), rate: null, tokenCost: false };
}

/** USD (a JSON number, or a decimal string) → nano-USD. */
function usdToNanoExact(value: unknown, where: string): NanoUsd {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new AdminApiError(`${where} is ${JSON.stringify(value)}, expected an amount`);
  return usdToNano(n);
}
