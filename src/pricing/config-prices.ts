import { catalogProviderId } from './catalog.js';
import { PICO_PER_USD_PER_HOUR, PICO_PER_USD_PER_MTOK, toPico, type PriceVersion, type Rates } from './rates.js';
import type { ConfiguredPrice } from './types.js';

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
 * price and the per-hour audio price given). The dimensions it
 * leaves unset take the catalog's rate for the same model when the catalog has one
 * (resolve.ts `configEntry`); otherwise output is 0 (entryFromConfig) and omitted cache
 * prices fall back like catalog ones: cached_input and cache_write → input,
 * cache_write_1h → cache_write.
 */
export function loadConfigPrices(prices: Readonly<Record<string, ConfiguredPrice>>): Map<string, ConfigPrice> {
  const byModel = new Map<string, ConfigPrice>();
  for (const [key, p] of Object.entries(prices)) {
    const rate = (usd: number) => ({ base: toPico(usd), tiers: [] });
    const rates: Rates = { input: rate(p.input) };
    if (p.output !== undefined) rates.output = rate(p.output);
    if (p.cached_input !== undefined) rates.cacheRead = rate(p.cached_input);
    if (p.cache_write !== undefined) rates.cacheWrite = rate(p.cache_write);
    if (p.cache_write_1h !== undefined) rates.cacheWrite1h = rate(p.cache_write_1h);
    if (p.audio_hour !== undefined) rates.audioHour = { base: toPico(p.audio_hour) * (PICO_PER_USD_PER_HOUR / PICO_PER_USD_PER_MTOK), tiers: [] };
    byModel.set(key.trim().toLowerCase(), { key, provider: p.provider, version: { rates, unmetered: [] } });
  }
  return byModel;
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
