import { catalogProviderId } from './catalog.js';
import { PICO_PER_USD_PER_HOUR, PICO_PER_USD_PER_MTOK, toPico, type Dimension, type PriceVersion, type Rate, type Rates } from './rates.js';
import type { ConfiguredPrice, ConfiguredTier } from './types.js';

/** A `prices:` entry from the config, converted once. Wins over overrides and the catalog. */
export interface ConfigPrice {
  /** The config key, as written (the model name it prices). */
  key: string;
  /** Provider the entry is restricted to, as written; undefined = any provider. */
  provider: string | undefined;
  version: PriceVersion;
}

/**
 * Converts the config's `prices:` section (USD per 1M tokens; `audio_hour` USD per hour of
 * audio) to integer rates: only the prices the entry sets (input, and output, each cache
 * price and the per-hour audio price given), each with the long-context prices its `tiers:`
 * give it (none: the price holds at every prompt size). The dimensions it
 * leaves unset take the catalog's rate for the same model when the catalog has one
 * (resolve.ts `configEntry`); otherwise output is 0 (entryFromConfig) and omitted cache
 * prices fall back like catalog ones: cached_input and cache_write → input,
 * cache_write_1h → cache_write.
 */
export function loadConfigPrices(prices: Readonly<Record<string, ConfiguredPrice>>): Map<string, ConfigPrice> {
  const byModel = new Map<string, ConfigPrice>();
  for (const [key, p] of Object.entries(prices)) {
    const rates: Rates = { input: tieredRate(p.input, p.tiers, 'input') };
    for (const [field, dim] of TIERED_FIELDS) {
      const usd = p[field];
      if (usd !== undefined) rates[dim] = tieredRate(usd, p.tiers, field);
    }
    if (p.audio_hour !== undefined) rates.audioHour = { base: toPico(p.audio_hour) * (PICO_PER_USD_PER_HOUR / PICO_PER_USD_PER_MTOK), tiers: [] };
    byModel.set(key.trim().toLowerCase(), { key, provider: p.provider, version: { rates, unmetered: [] } });
  }
  return byModel;
}

/** The entry's prices besides input that its `tiers:` may give long-context prices, config field → dimension. */
const TIERED_FIELDS: ReadonlyArray<[Exclude<keyof ConfiguredTier, 'above_input_tokens'>, Dimension]> = [
  ['output', 'output'],
  ['cached_input', 'cacheRead'],
  ['cache_write', 'cacheWrite'],
  ['cache_write_1h', 'cacheWrite1h'],
];

/**
 * A price of `usd` per 1M tokens with the long-context prices `tiers` give `field` (pico per
 * token; a tier that leaves `field` out keeps the price below it, as `picoAt` reads a rate).
 * The config's schema keeps the tiers ascending by threshold (config/price-schema.ts).
 */
function tieredRate(usd: number, tiers: ConfiguredPrice['tiers'], field: Exclude<keyof ConfiguredTier, 'above_input_tokens'>): Rate {
  const out: Array<{ above: number; pico: number }> = [];
  for (const t of tiers ?? []) {
    const price = t[field];
    if (price !== undefined) out.push({ above: t.above_input_tokens, pico: toPico(price) });
  }
  return { base: toPico(usd), tiers: out.sort((a, b) => a.above - b.above) };
}

/**
 * True when a config entry restricted to `entryProvider` applies to calls through `provider`.
 * An undefined `provider` (a lookup by model name only, e.g. `prices show`) matches any entry.
 */
export function configProviderMatches(entryProvider: string | undefined, provider: string | undefined): boolean {
  if (entryProvider === undefined || provider === undefined) return true;
  const a = entryProvider.trim().toLowerCase();
  const b = provider.trim().toLowerCase();
  if (a === b) return true;
  const ca = catalogProviderId(a);
  return ca !== undefined && ca === catalogProviderId(b);
}
