import type { NanoUsd } from '../lib/money.js';
import { formatInt, formatMoney } from '../report/format/text.js';
import type { RateFinding, RateKey, ReconcileRow, TokenKey } from './types.js';

/**
 * The sentence each compared row carries (shared by every format). Signs follow the
 * diff: + means the provider's figure is higher than the meter's.
 */

export interface ExplainContext {
  /** Outside rows: the report's labels. */
  labels: readonly string[];
  providerLabel: string;
  /** The price source the catalog rates came from, e.g. `genai-prices@0.1.8`; null when none. */
  catalogSource: string | null;
  /** The cost of the token difference at catalog prices; null when the model has no price. */
  tokenCostNano: NanoUsd | null;
}

export const TOKEN_LABELS: Record<TokenKey, string> = {
  input: 'input',
  cachedInput: 'cached input',
  cacheWrite5m: 'cache writes (5m)',
  cacheWrite1h: 'cache writes (1h)',
  output: 'output',
};

export const RATE_LABELS: Record<RateKey, string> = {
  input: 'uncached input',
  cached_input: 'cached input',
  cache_write_5m: 'cache writes (5m)',
  cache_write_1h: 'cache writes (1h)',
  output: 'output',
};

/** +$1.23 / -$0.042 */
export function signedMoney(nano: NanoUsd): string {
  return nano > 0 ? `+${formatMoney(nano)}` : formatMoney(nano);
}

/** +1,234 / -56 */
export function signedInt(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : formatInt(n);
}

/** $12.00/1M, with more digits for sub-cent prices. */
export function perMtok(usd: number): string {
  const digits = usd !== 0 && Math.abs(usd) < 0.1 ? 4 : 2;
  return `$${usd.toFixed(digits)}/1M`;
}

export function explain(row: ReconcileRow, ctx: ExplainContext): string {
  const d = row.diff;
  const money = signedMoney(d.costNano);
  switch (row.status) {
    case 'match':
      return 'Within the tolerance.';
    case 'outside_meter':
      return `Billed for what tokometer does not meter (${ctx.labels.join(', ') || 'unlabelled costs'}): counted in the bill, never a difference.`;
    case 'unmetered_traffic': {
      const n = row.unmeteredRequests;
      const noTokens = d.tokens.input === 0 && d.tokens.output === 0;
      const what =
        n === null || n === undefined
          ? noTokens
            ? 'costs for a model the meter never saw'
            : `usage the meter never saw (${signedInt(d.tokens.input)} input, ${signedInt(d.tokens.output)} output tokens)`
          : row.requestsEstimated
            ? `about ${formatInt(n)} request${n === 1 ? '' : 's'} the meter never saw (estimated from ${signedInt(d.tokens.input)} input tokens; ${ctx.providerLabel} reports no request counts)`
            : `${formatInt(n)} request${n === 1 ? '' : 's'} the meter never saw`;
      return `Unmetered traffic: ${ctx.providerLabel} counted ${what}, ${money}. Something calls ${ctx.providerLabel} without going through tokometer.`;
    }
    case 'missing_at_provider': {
      const count = d.requests === null ? `${signedInt(-d.tokens.input)} input tokens` : `${formatInt(-d.requests)} call${d.requests === -1 ? '' : 's'}`;
      const text = `The meter counted ${count} that ${ctx.providerLabel} does not report (${money}): its report may still lag, or the calls were billed to another organization.`;
      return row.meter.unpriced > 0 ? `${text} ${unpricedCalls(row)}, so the meter's cost leaves them out; add one to the config's prices: section.` : text;
    }
    case 'token_drift': {
      const parts = (row.driftedTokens ?? []).map(
        (k) => `${TOKEN_LABELS[k]} ${formatInt(row.bill.tokens[k])} billed vs ${formatInt(row.meter.tokens[k])} metered (${signedInt(d.tokens[k])})`,
      );
      // Without the provider's request counts (Anthropic) nothing says the requests are the same.
      const on = d.requests === null ? `(${ctx.providerLabel} reports no request counts)` : 'on the same requests';
      let text = `Token drift ${on}: ${parts.join('; ')}; cost ${money}.`;
      if (ctx.tokenCostNano !== null) text += ` At catalog prices the token difference is ${signedMoney(ctx.tokenCostNano)}.`;
      if (row.meter.usageUnknown > 0) text += ` ${formatInt(row.meter.usageUnknown)} metered calls have unknown usage (a body that did not parse).`;
      return text;
    }
    case 'price_drift':
      return priceDrift(row, ctx, money);
  }
}

/** "3 metered calls have no price for acme-llm". */
function unpricedCalls(row: ReconcileRow): string {
  return `${formatInt(row.meter.unpriced)} metered call${row.meter.unpriced === 1 ? ' has' : 's have'} no price for ${row.model ?? 'this model'}`;
}

function priceDrift(row: ReconcileRow, ctx: ExplainContext, money: string): string {
  const pct = row.diff.percent === null ? '' : `, ${row.diff.percent > 0 ? '+' : ''}${row.diff.percent.toFixed(1)}%`;
  const head = `Price drift on the same tokens (${money}${pct}):`;
  if (row.meter.unpriced > 0) {
    return `${head} ${unpricedCalls(row)}; add one to the config's prices: section.`;
  }
  const rates = row.rates ?? [];
  if (row.model === null) return `${head} prices are named per model; see --by model or --by day,model.`;
  if (rates.length === 0) return `${head} the catalog has no price for ${row.model} to compare with.`;
  const source = ctx.catalogSource === null ? 'the catalog' : `the catalog (${ctx.catalogSource})`;
  if (rates.every((r) => r.itemised)) {
    return `${head} ${rates.map((r) => `${RATE_LABELS[r.rate]} billed at ${perMtok(r.billedPerMtok)}, ${source} says ${perMtok(r.catalogPerMtok)}`).join('; ')}.`;
  }
  return `${head} explained by ${rates.map((r: RateFinding) => `${RATE_LABELS[r.rate]} at ${perMtok(r.billedPerMtok)} (catalog ${perMtok(r.catalogPerMtok)})`).join(' or ')}.`;
}
