import { createPricer } from '../pricing/pricer.js';
import type { PriceDescription, RateSet } from '../pricing/types.js';
import type { Config } from './schema.js';

/** A price as a `prices:` entry names it (the config's field names), for the RateSet fields an entry can set. */
const CONFIG_FIELD: Partial<Record<keyof RateSet, string>> = {
  input: 'input',
  cachedInput: 'cached_input',
  cacheWrite: 'cache_write',
  cacheWrite1h: 'cache_write_1h',
  output: 'output',
};

/**
 * One warning per `prices:` entry and threshold where the entry holds a price flat that the
 * catalog's entry for the model changes above that many input tokens (a long-context tier), and
 * the entry gives no tier of its own for it (pricing/entry-tiers.ts). By the rule (docs/prices.md
 * "A `prices:` entry and the catalog") such a call is billed the entry's price at every size,
 * beside the catalog's long-context prices for what the entry leaves unset: correct, and
 * right for a price that holds at every size, but a discount written as flat prices undercharges
 * long prompts, so it is said (config check and serve's start), with the threshold, the
 * catalog's prices there and the `tiers:` line to add. The catalog is the bundled one, as
 * config check sees it (no database); the entry is looked up as `prices show` does without
 * `--provider`: through its own provider, else by the model name alone.
 */
export function priceTierWarnings(config: Pick<Config, 'prices'>): string[] {
  const entries = Object.entries(config.prices);
  if (entries.length === 0) return [];
  const pricer = createPricer(config.prices);
  const warnings: string[] = [];
  for (const [written, price] of entries) {
    const model = written.trim();
    const d = pricer.describe(model, price.provider?.trim() || undefined);
    if (d === null || d.source !== 'config' || d.inherited?.untiered === undefined) continue;
    for (const above of [...new Set(d.inherited.untiered.map((u) => u.aboveInputTokens))]) warnings.push(tierWarning(written, d, above));
  }
  return warnings;
}

/** The warning for entry `written` (described as `d`) at threshold `above`. */
function tierWarning(written: string, d: PriceDescription, above: number): string {
  const from = d.inherited!;
  const flat = from.untiered!.filter((u) => u.aboveInputTokens === above);
  const tier = d.tiers.find((t) => t.aboveInputTokens === above);
  const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`);
  const own = flat.map((u) => `${CONFIG_FIELD[u.field]} ${usd(d.rates[u.field])}`);
  const catalogThere = flat.map((u) => `${CONFIG_FIELD[u.field]} ${usd(u.catalog)}`).join(', ');
  // The prices the entry leaves unset whose catalog price changes at this threshold.
  const unset = tier === undefined ? [] : from.fields.filter((f) => CONFIG_FIELD[f] !== undefined && tier.rates[f] !== d.rates[f]).map((f) => `${CONFIG_FIELD[f]} ${usd(tier.rates[f])}`);
  const tokens = above.toLocaleString('en-US');
  const beside = unset.length === 0 ? '' : ` and the prices this entry leaves unset take the catalog's there (${unset.join(', ')})`;
  const example = flat.map((u) => `${CONFIG_FIELD[u.field]}: ...`).join(', ');
  return (
    `prices.${written}: its ${list(own)} ${own.length === 1 ? 'holds' : 'hold'} at every prompt size, while the catalog prices ${d.inherited!.modelId === written.trim() ? written.trim() : `${written.trim()} (as ${from.modelId})`} ` +
    `differently above ${tokens} input tokens (${catalogThere})${beside}; if your prices change above ${tokens} input tokens too, add them to the entry: ` +
    `tiers: [{ above_input_tokens: ${above}, ${example} }]`
  );
}

/** USD per 1M tokens as `prices show` writes it: at least 2 and at most 6 decimals ($0.075, $6.00); '-' for none. */
function usd(perMillion: number | null): string {
  if (perMillion === null) return '-';
  const [whole, frac = ''] = perMillion.toFixed(6).replace(/0+$/, '').split('.');
  return `$${whole}.${frac.padEnd(2, '0')}`;
}
