import type { NanoUsd } from '../lib/money.js';
import { explain } from './explain.js';
import type { JoinedGroup } from './join.js';
import { TOKEN_KEYS, type BillSide, type CatalogRates, type RateFinding, type RateKey, type ReconcileRow, type RowDiff, type RowStatus, type TokenCounts, type TokenKey, type Tolerance } from './types.js';

/**
 * Classifies one joined group (pure). A figure differs "beyond the tolerance" only when
 * the difference exceeds BOTH the percentage of the provider's figure and the dollar
 * amount (token and request differences are valued at the catalog's prices for that, or
 * by the row's cost difference where there are none).
 *
 * Order of the causes, first match wins:
 * 1. unmetered traffic: the provider counted more requests than the meter (without request
 *    counts, as with Anthropic: more input tokens, and the extra requests are estimated
 *    from the meter's input tokens per call); also a bill for a model the meter never saw;
 * 2. missing at the provider: the reverse;
 * 3. token drift: same requests, some token count differs;
 * 4. price drift: same tokens, the cost differs; the rates that would explain it are named.
 *
 * A row with metered calls that have no price is never a match (docs/reconcile.md): calls
 * the provider does not report are missing at the provider whatever their (unknown) value,
 * and otherwise the row is a price drift that names the unpriced calls.
 */

export interface ClassifyContext {
  tolerance: Tolerance;
  catalog: CatalogRates;
  /** When the group has no day (grouped by model): the instant whose catalog prices apply. */
  at: number;
  /** The provider as people name it, e.g. `OpenAI`. */
  providerLabel: string;
}

/** nano-USD per token for a price in USD per 1M tokens. */
const NANO_PER_TOKEN_PER_USD_MTOK = 1000;

export function diffOf(g: Pick<JoinedGroup, 'meter' | 'bill'>): RowDiff {
  const tokens = {} as TokenCounts;
  for (const k of TOKEN_KEYS) tokens[k] = g.bill.tokens[k] - g.meter.tokens[k];
  const costNano = g.bill.costNano - g.meter.costNano;
  return {
    requests: g.bill.requests === null ? null : g.bill.requests - g.meter.calls,
    tokens,
    costNano,
    percent: g.bill.costNano === 0 ? null : (costNano / g.bill.costNano) * 100,
  };
}

/** Tokens of each price kind on the bill side (uncached input = input − reads − writes). */
export function tokensByRate(t: TokenCounts): Record<RateKey, number> {
  return {
    input: t.input - t.cachedInput - t.cacheWrite5m - t.cacheWrite1h,
    cached_input: t.cachedInput,
    cache_write_5m: t.cacheWrite5m,
    cache_write_1h: t.cacheWrite1h,
    output: t.output,
  };
}

export function classify(g: JoinedGroup, ctx: ClassifyContext): ReconcileRow {
  const diff = diffOf(g);
  const base = { day: g.day, model: g.model, meter: g.meter, bill: g.bill, diff };
  if (g.outside) return finish({ ...base, status: 'outside_meter', explanation: '' }, g, ctx);

  const tol = ctx.tolerance;
  const beyond = (delta: number, of: number, valueNano: number) =>
    delta !== 0 && Math.abs(delta) > (tol.percent / 100) * Math.abs(of) && Math.abs(valueNano) > tol.usdNano;
  const catalog = g.model === null ? null : ctx.catalog(g.model, g.day ?? ctx.at);
  const perToken = catalog === null ? null : (k: RateKey) => catalog.rates[k] * NANO_PER_TOKEN_PER_USD_MTOK;
  // Without catalog prices (a row of several models, or an unpriced model) a token
  // difference is worth what the row's cost differs by.
  const tokenValue = (k: TokenKey, delta: number): number => {
    if (perToken === null) return diff.costNano;
    if (k === 'input') return delta * perToken('input');
    if (k === 'cachedInput') return delta * (perToken('input') - perToken('cached_input'));
    if (k === 'cacheWrite5m') return delta * (perToken('cache_write_5m') - perToken('input'));
    if (k === 'cacheWrite1h') return delta * (perToken('cache_write_1h') - perToken('input'));
    return delta * perToken('output');
  };
  const drifted = TOKEN_KEYS.filter((k) => beyond(diff.tokens[k], g.bill.tokens[k], tokenValue(k, diff.tokens[k])));
  const costBeyond = beyond(diff.costNano, g.bill.costNano, diff.costNano);

  let more: boolean;
  let fewer: boolean;
  if (diff.requests !== null) {
    const avg = g.bill.requests! > 0 ? g.bill.costNano / g.bill.requests! : g.meter.calls > 0 ? g.meter.costNano / g.meter.calls : 0;
    const requestsBeyond = beyond(diff.requests, g.bill.requests!, diff.requests * avg);
    more = requestsBeyond && diff.requests > 0;
    fewer = requestsBeyond && diff.requests < 0;
  } else {
    // No request counts (Anthropic): more input tokens stand for more requests, valued as a
    // request difference is, at the meter's cost per call of the requests they make up (their
    // input alone under the tolerance read 12 extra calls as output drift).
    const inputPerCall = g.meter.calls > 0 ? g.meter.tokens.input / g.meter.calls : 0;
    const requestsValue = inputPerCall > 0 ? (diff.tokens.input / inputPerCall) * (g.meter.costNano / g.meter.calls) : 0;
    const inputBeyond = drifted.includes('input') || beyond(diff.tokens.input, g.bill.tokens.input, requestsValue);
    more = inputBeyond && diff.tokens.input > 0;
    fewer = inputBeyond && diff.tokens.input < 0;
  }
  const anything = costBeyond || drifted.length > 0 || more || fewer;
  // Metered calls without a price: their difference has no value in USD, so the tolerance cannot excuse it.
  const unpriced = g.meter.unpriced > 0;
  if (g.meter.calls === 0 && (g.billedUsage || g.bill.costNano > 0)) more ||= anything;
  if (!g.billedUsage && g.meter.calls > 0) fewer ||= anything || unpriced;

  let status: RowStatus = 'match';
  if (more) status = 'unmetered_traffic';
  else if (fewer) status = 'missing_at_provider';
  else if (drifted.length > 0) status = 'token_drift';
  else if (costBeyond || unpriced) status = 'price_drift';

  const row: ReconcileRow = { ...base, status, explanation: '' };
  if (status === 'unmetered_traffic') {
    // A bill without more requests (a cost-only entry) gives no count to report.
    if (diff.requests !== null) row.unmeteredRequests = diff.requests > 0 ? diff.requests : null;
    else {
      row.requestsEstimated = true;
      row.unmeteredRequests = g.meter.calls > 0 && g.meter.tokens.input > 0 ? Math.round(diff.tokens.input / (g.meter.tokens.input / g.meter.calls)) : null;
    }
  }
  if (status === 'token_drift') row.driftedTokens = drifted;
  if (status === 'price_drift' && catalog !== null) row.rates = rateFindings(g.bill, catalog.rates, tol);
  return finish(row, g, ctx, catalog === null ? null : catalog.source, perToken === null ? null : expectedTokenCost(diff.tokens, perToken));
}

function finish(row: ReconcileRow, g: JoinedGroup, ctx: ClassifyContext, catalogSource: string | null = null, tokenCostNano: NanoUsd | null = null): ReconcileRow {
  row.explanation = explain(row, { labels: g.labels, providerLabel: ctx.providerLabel, catalogSource, tokenCostNano });
  return row;
}

/** What a token difference costs at the catalog's prices, nano-USD. */
function expectedTokenCost(d: TokenCounts, perToken: (k: RateKey) => number): NanoUsd {
  const byRate = tokensByRate(d);
  let sum = 0;
  for (const k of Object.keys(byRate) as RateKey[]) sum += byRate[k] * perToken(k);
  return Math.round(sum);
}

/**
 * The prices that would explain a cost difference on the same tokens. Where the cost report
 * itemises a price, the billed rate is measured (cost ÷ tokens of that kind) and named when
 * it differs beyond the tolerance. Otherwise, for each kind of token billed, the rate at which
 * that price alone would make the catalog cost equal the bill.
 */
export function rateFindings(bill: BillSide, catalog: Record<RateKey, number>, tol: Tolerance): RateFinding[] {
  const tokens = tokensByRate(bill.tokens);
  const kinds = (Object.keys(tokens) as RateKey[]).filter((k) => tokens[k] > 0);
  const itemised: RateFinding[] = [];
  for (const k of kinds) {
    const cost = bill.costByRate[k];
    if (cost === undefined) continue;
    const billed = cost / tokens[k] / NANO_PER_TOKEN_PER_USD_MTOK;
    const off = Math.abs(cost - tokens[k] * catalog[k] * NANO_PER_TOKEN_PER_USD_MTOK);
    if (Math.abs(billed - catalog[k]) > (tol.percent / 100) * catalog[k] && off > tol.usdNano) {
      itemised.push({ rate: k, billedPerMtok: roundRate(billed), catalogPerMtok: catalog[k], itemised: true });
    }
  }
  if (itemised.length > 0) return itemised;
  const atCatalog = kinds.reduce((s, k) => s + tokens[k] * catalog[k] * NANO_PER_TOKEN_PER_USD_MTOK, 0);
  const residual = bill.costNano - atCatalog;
  return kinds
    .map((k) => ({ rate: k, billedPerMtok: roundRate(catalog[k] + residual / tokens[k] / NANO_PER_TOKEN_PER_USD_MTOK), catalogPerMtok: catalog[k], itemised: false }))
    .filter((f) => f.billedPerMtok >= 0);
}

/** USD per 1M tokens to 6 decimals (a millionth of a dollar per million tokens). */
function roundRate(usdPerMtok: number): number {
  return Math.round(usdPerMtok * 1e6) / 1e6;
}
