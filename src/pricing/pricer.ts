import type { Usage } from '../providers/types.js';
import { BoundedCache } from './bounded-cache.js';
import { CATALOG_SOURCE, LISTED_PROVIDERS, catalogProvider, catalogProviderId } from './catalog.js';
import { computeCost } from './compute.js';
import { configProviderMatches, loadConfigPrices } from './config-prices.js';
import { OVERRIDE_MODELS } from './overrides.js';
import { hasTokenPrice, rateSetAt, selectVersion, tierThresholds } from './rates.js';
import { entryFromConfig, entryFromModel, resolvePrice, type PriceEntry, type Resolution } from './resolve.js';
import type { ConfiguredPrice, PriceContext, PriceDescription, PriceResult } from './types.js';

/** Prices calls and describes prices. One per loaded config; safe to share. */
export interface Pricer {
  /** Cost of one call in integer nano-USD at the price valid at `ctx.at`, or an explicit reason why not. */
  price(usage: Usage, ctx: PriceContext): PriceResult;
  /**
   * Per-1M prices of `model` at `at` (default now). `provider` is a tokometer provider
   * name; without it the model name alone decides (as for custom providers). null = unknown.
   */
  describe(model: string, provider?: string, at?: number): PriceDescription | null;
  /** Every known price for `provider` (all listed providers when omitted): config, overrides, catalog. */
  list(provider?: string, at?: number): PriceDescription[];
}

export interface PricerOptions {
  /** Max (provider, model) resolutions kept; model names come from clients. Default 4096. */
  cacheSize?: number;
}

/**
 * Creates a pricer over the catalog, tokometer's overrides and the config's `prices:`
 * section (USD per 1M tokens; wins over both).
 *
 * Resolving a name through the catalog costs ~60 µs, so resolutions (misses included) are
 * cached per (provider, model) in a bounded LRU. The cached entry keeps every dated and
 * time-of-day version, so the version valid at each call's own time is picked per call
 * (a cache per UTC day would be wrong for DeepSeek's time-of-day prices).
 */
export function createPricer(configPrices: Readonly<Record<string, ConfiguredPrice>> = {}, options: PricerOptions = {}): Pricer {
  const config = loadConfigPrices(configPrices);
  const cache = new BoundedCache<string, Resolution>(options.cacheSize ?? 4096);

  function resolve(provider: string | undefined, model: string): Resolution {
    const key = `${provider?.toLowerCase() ?? ''}\u0000${model.toLowerCase()}`;
    let r = cache.get(key);
    if (r === undefined) {
      r = resolvePrice(config, provider, model);
      cache.set(key, r);
    }
    return r;
  }

  return {
    price(usage, ctx) {
      if (!Number.isFinite(ctx.at)) return { priced: false, reason: `invalid call time ${ctx.at}` };
      const r = resolve(ctx.provider, ctx.model);
      if (!r.ok) return { priced: false, reason: r.reason };
      const { entry } = r;
      const version = selectVersion(entry.versions, ctx.at);
      if (!hasTokenPrice(version.rates) && version.unmetered.length > 0) {
        return { priced: false, reason: `'${entry.modelId}' is priced per ${version.unmetered.join(', ')}, which tokometer does not meter` };
      }
      const cost = computeCost(usage, version.rates);
      if (!cost.ok) return { priced: false, reason: cost.error };
      return { priced: true, costNano: cost.value.costNano, source: entry.source, modelId: entry.modelId, providerId: entry.providerId, breakdown: cost.value.breakdown };
    },

    describe(model, provider, at = Date.now()) {
      const r = resolve(provider, model);
      return r.ok ? describeEntry(r.entry, at) : null;
    },

    list(provider, at = Date.now()) {
      const out: PriceDescription[] = [];
      for (const c of config.values()) if (configProviderMatches(c.provider, provider)) out.push(describeEntry(entryFromConfig(c), at));
      const pid = provider === undefined ? undefined : catalogProviderId(provider);
      if (provider !== undefined && pid === undefined) return out;
      for (const id of pid ? [pid] : LISTED_PROVIDERS) {
        const overrides = OVERRIDE_MODELS[id] ?? [];
        const shadowed = new Set(overrides.map((m) => m.id));
        for (const m of overrides) out.push(describeEntry(entryFromModel('override', id, m), at));
        for (const m of catalogProvider(id)?.models ?? []) {
          if (shadowed.has(m.id)) continue;
          try {
            out.push(describeEntry(entryFromModel(CATALOG_SOURCE, id, m), at));
          } catch {
            // A malformed catalog entry is unpriced at call time; nothing to list.
          }
        }
      }
      return out;
    },
  };
}

/** Display form of an entry at `at`. */
export function describeEntry(entry: PriceEntry, at: number): PriceDescription {
  const { rates, unmetered } = selectVersion(entry.versions, at);
  const d: PriceDescription = {
    source: entry.source,
    providerId: entry.providerId,
    modelId: entry.modelId,
    rates: rateSetAt(rates, 0),
    tiers: tierThresholds(rates).map((above) => ({ aboveInputTokens: above, rates: rateSetAt(rates, above + 1) })),
    unmetered: [...unmetered],
    timeDependent: entry.versions.length > 1,
    deprecated: entry.deprecated,
  };
  if (entry.name) d.name = entry.name;
  return d;
}

let defaultPricer: Pricer | undefined;

/**
 * Prices one call with the catalog and tokometer's overrides only (no config). The proxy
 * uses a pricer from `createPricer(config.prices)`; this is for code without a config.
 */
export function price(usage: Usage, ctx: PriceContext): PriceResult {
  defaultPricer ??= createPricer();
  return defaultPricer.price(usage, ctx);
}
