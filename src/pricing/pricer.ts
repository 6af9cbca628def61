import type { AdvisorUsage, BillingConditions, Usage } from '../providers/types.js';
import { advisorNoteEntry } from './price-notes.js';
import { BoundedCache } from '../lib/bounded-cache.js';
import { CATALOG_SOURCE, LISTED_PROVIDERS, catalogProvider, catalogProviderId, pinnedCatalog } from './catalog.js';
import { priceInSteps, stepAsUsage } from './compaction-steps.js';
import { computeCost } from './compute.js';
import { catalogRules, configOnlyResolution } from './config-only.js';
import { configProviderMatches, loadConfigPrices } from './config-prices.js';
import { billingProviderId, priceModifier } from './modifiers.js';
import { OVERRIDE_MODELS } from './overrides.js';
import { hasTokenPrice, rateSetAt, selectVersion, tierThresholds } from './rates.js';
import { untieredPrices, untieredThresholds } from './entry-tiers.js';
import { configEntry, entryFromModel, resolvePrice, type CatalogLayer, type PriceEntry, type Resolution } from './resolve.js';
import { serviceTierRates } from './service-tiers.js';
import { durationMismatch, pageMismatch } from './unit-mismatch.js';
import { webSearchToolRates } from './web-search-fees.js';
import type { CatalogSnapshot } from './snapshot.js';
import type { ConfiguredPrice, CostBreakdown, PriceContext, PriceDescription, PriceResult, RateSet } from './types.js';

/** Prices calls and describes prices. One per loaded config; safe to share. */
export interface Pricer {
  /**
   * Cost of one call in integer nano-USD at the price valid at `ctx.at` for the service tier
   * it ran on (pricing/service-tiers.ts: OpenAI priority; `note` says when that price is
   * unknown and the cost a lower bound), its web searches at the fee of the tool that ran them
   * (pricing/web-search-fees.ts: OpenAI's web_search_preview), times the price modifiers its usage reports
   * (pricing/modifiers.ts: US-only inference, fast mode, flex), each of its compaction steps
   * (`usage.compactions`) priced on its own long-context tier (compaction-steps.ts),
   * plus its advisor sub-inferences (`usage.advisors`) at their own models' prices, or an
   * explicit reason why not.
   */
  price(usage: Usage, ctx: PriceContext): PriceResult;
  /**
   * Per-1M prices of `model` at `at` (default now). `provider` is a tokometer provider
   * name; without it the model name alone decides (as for custom providers). null = unknown.
   */
  describe(model: string, provider?: string, at?: number): PriceDescription | null;
  /**
   * Per-1M prices of `model` at `at` (default now) at each listed catalog provider that
   * prices it, in display order, one per price entry (a provider whose fallback provider
   * prices the name yields that entry once). For a name no provider's `model_match` claims:
   * `describe(model)` finds none, yet one provider's model list may hold it.
   */
  describeAtEachProvider(model: string, at?: number): PriceDescription[];
  /** Every known price for `provider` (all listed providers when omitted): config, overrides, snapshot, catalog. */
  list(provider?: string, at?: number): PriceDescription[];
  /** The stored snapshot prices come from below config and overrides; null = the pinned catalog alone. */
  readonly snapshot: CatalogSnapshot | null;
  /**
   * Prices from `snapshot` (null: the pinned catalog alone) from the next call on; cached
   * resolutions are dropped. Models the snapshot lacks still fall back to the pinned catalog.
   */
  useSnapshot(snapshot: CatalogSnapshot | null): void;
  /** Whether the catalog may price `provider`'s calls (`options.catalogPrices`); undefined = not named there (it may). */
  catalogPrices(provider: string): boolean | undefined;
}

export interface PricerOptions {
  /** Max (provider, model) resolutions kept; model names come from clients. Default 4096. */
  cacheSize?: number;
  /** The newest stored catalog snapshot, if any. */
  snapshot?: CatalogSnapshot | null;
  /** Provider name → may the catalog price its calls (config/catalog-prices.ts; false: config-only.ts). Unnamed: it may. */
  catalogPrices?: Readonly<Record<string, boolean>>;
}

/** The pinned catalog as a layer; its data is parsed on first use, not when a pricer is made. */
const PINNED_LAYER: CatalogLayer = {
  source: CATALOG_SOURCE,
  get data() {
    return pinnedCatalog();
  },
};

/** The catalog layers for `snapshot`, newest first. */
function layersFor(snapshot: CatalogSnapshot | null): CatalogLayer[] {
  return snapshot ? [{ source: snapshot.source, data: snapshot.data, since: snapshot.fetchedAt }, PINNED_LAYER] : [PINNED_LAYER];
}

/**
 * Creates a pricer over the config's `prices:` section (USD per 1M tokens; wins over all),
 * tokometer's overrides, the newest stored snapshot (`options.snapshot`) and the pinned
 * catalog, in that order.
 *
 * Resolving a name walks the catalog's match rules, so resolutions (misses included) are
 * cached per (provider, model) in a bounded LRU. The cached entry keeps every dated and
 * time-of-day version, so the version valid at each call's own time is picked per call
 * (a cache per UTC day would be wrong for DeepSeek's time-of-day prices).
 */
export function createPricer(configPrices: Readonly<Record<string, ConfiguredPrice>> = {}, options: PricerOptions = {}): Pricer {
  const config = loadConfigPrices(configPrices);
  const cacheSize = options.cacheSize ?? 4096;
  let cache = new BoundedCache<string, Resolution>(cacheSize);
  let snapshot = options.snapshot ?? null;
  let layers = layersFor(snapshot);
  const { mayPrice, configOnly } = catalogRules(options.catalogPrices);

  function resolve(provider: string | undefined, model: string): Resolution {
    const key = `${provider?.toLowerCase() ?? ''}\u0000${model.toLowerCase()}`;
    let r = cache.get(key);
    if (r === undefined) {
      r = configOnly(provider) ? configOnlyResolution(config, provider as string, model) : resolvePrice(config, layers, provider, model);
      cache.set(key, r);
    }
    return r;
  }

  /**
   * `usage` priced as `model` of `provider` at `at`, at the rates of the service tier it ran on
   * (pricing/service-tiers.ts: OpenAI priority) times the modifier `conditions` give that model.
   */
  function priceAt(usage: Usage, provider: string, model: string, at: number, conditions: BillingConditions): PriceResult {
    const r = resolve(provider, model);
    if (!r.ok) return { priced: false, reason: r.reason };
    const { entry } = r;
    const version = selectVersion(entry.versions, at);
    if (!hasTokenPrice(version.rates) && version.unmetered.length > 0) {
      return { priced: false, reason: `'${entry.modelId}' is priced per ${version.unmetered.join(', ')}, which tokometer does not meter` };
    }
    const byDuration = durationMismatch(usage, version.rates.audioHour !== undefined, entry.modelId);
    if (byDuration !== null) return { priced: false, reason: byDuration };
    const byPage = pageMismatch(usage, version.rates, entry.modelId);
    if (byPage !== null) return { priced: false, reason: byPage };
    const tier = serviceTierRates(entry, version.rates, conditions);
    const tierRates = tier === null ? version.rates : tier.rates;
    // OpenAI's web_search_preview on a non-reasoning model: $25 per 1,000 searches (web-search-fees.ts).
    const rates = webSearchToolRates(entry, tierRates, usage) ?? tierRates;
    const cost = computeCost(usage, rates, priceModifier(billingProviderId(entry, provider), entry.modelId, conditions));
    if (!cost.ok) return { priced: false, reason: cost.error };
    const priced: PriceResult = { priced: true, costNano: cost.value.costNano, source: entry.source, modelId: entry.modelId, providerId: entry.providerId, breakdown: cost.value.breakdown };
    return tier?.note === undefined ? priced : { ...priced, note: tier.note };
  }

  return {
    get snapshot() {
      return snapshot;
    },

    useSnapshot(next) {
      snapshot = next;
      layers = layersFor(next);
      cache = new BoundedCache<string, Resolution>(cacheSize);
    },

    price(usage, ctx) {
      if (!Number.isFinite(ctx.at)) return { priced: false, reason: `invalid call time ${ctx.at}` };
      // Compaction steps (compaction-steps.ts) are priced each on its own tier, at the call's model and conditions;
      // a call without any is priced directly, with no closure made for it (pricing runs for every call).
      const own = usage.compactions === undefined ? priceAt(usage, ctx.provider, ctx.model, ctx.at, usage) : priceInSteps(usage, (part) => priceAt(part, ctx.provider, ctx.model, ctx.at, usage));
      if (!own.priced || usage.advisors === undefined) return own;
      return withAdvisors(own, usage, (advisor, conditions) => priceAt(advisorAsUsage(advisor), ctx.provider, advisor.model, ctx.at, conditions));
    },

    catalogPrices: mayPrice,

    describe(model, provider, at = Date.now()) {
      const r = resolve(provider, model);
      return r.ok ? describeEntry(r.entry, at) : null;
    },

    describeAtEachProvider(model, at = Date.now()) {
      const seen = new Set<string>();
      const out: PriceDescription[] = [];
      for (const id of LISTED_PROVIDERS) {
        const r = resolve(id, model);
        if (!r.ok) continue;
        const key = `${r.entry.source}\u0000${r.entry.providerId ?? ''}\u0000${r.entry.modelId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(describeEntry(r.entry, at));
      }
      return out;
    },

    list(provider, at = Date.now()) {
      const out: PriceDescription[] = [];
      // A provider priced from prices: alone lists its entries as they price: standing alone.
      const from = configOnly(provider) ? [] : layers;
      for (const c of config.values()) if (configProviderMatches(c.provider, provider)) out.push(describeEntry(configEntry(c, from, provider), at));
      const pid = provider === undefined ? undefined : catalogProviderId(provider);
      if (provider !== undefined && (pid === undefined || configOnly(provider))) return out;
      for (const id of pid ? [pid] : LISTED_PROVIDERS) {
        const overrides = OVERRIDE_MODELS[id] ?? [];
        const shadowed = new Set(overrides.map((m) => m.id));
        for (const m of overrides) out.push(describeEntry(entryFromModel('override', id, m), at));
        for (const layer of layers) {
          const models = catalogProvider(id, layer.data)?.models ?? [];
          for (const m of models) {
            if (shadowed.has(m.id)) continue;
            try {
              out.push(describeEntry(entryFromModel(layer.source, id, m, layer.since), at));
            } catch {
              // A malformed catalog entry is unpriced at call time; nothing to list.
            }
          }
          for (const m of models) shadowed.add(m.id);
        }
      }
      return out;
    },
  };
}

/**
 * The call's own cost `own` plus its advisor sub-inferences (`usage.advisors`), each priced
 * by `priceAdvisor` at its own model's rates on its own counts (a long-context tier applies
 * per consultation) and rounded to nano-USD on its own; the breakdown sums the dimensions of
 * all. Only US-only inference (`inferenceGeo`) is passed on to an advisor: where a request
 * runs holds for all of it, while fast mode is the executor's sampling speed and no source
 * says an advisor runs (or bills) fast, so an advisor is priced at its standard speed
 * (docs/prices.md). An advisor without a price (or without a model name) is left out of the
 * cost, which stays priced as a lower bound with a `note` naming it and the pricer's reason
 * (price-notes.ts): the known part still counts against budgets, and `prices reprice` adds
 * the rest once the model has a price, and drops the note.
 */
function withAdvisors(own: PriceResult & { priced: true }, usage: Usage, priceAdvisor: (advisor: AdvisorUsage, conditions: BillingConditions) => PriceResult): PriceResult {
  let costNano = own.costNano;
  const breakdown = { ...own.breakdown };
  const conditions: BillingConditions = usage.inferenceGeo === undefined ? {} : { inferenceGeo: usage.inferenceGeo };
  const left: string[] = [];
  for (const advisor of usage.advisors ?? []) {
    const r = advisor.model === '' ? null : priceAdvisor(advisor, conditions);
    if (r === null || !r.priced) {
      left.push(advisorNoteEntry(advisor, r === null ? null : r.reason));
      continue;
    }
    costNano += r.costNano;
    for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] += r.breakdown[k];
  }
  if (left.length === 0) return { ...own, costNano, breakdown };
  // The executor's own note (a service-tier one) comes first, as price-notes.ts expects.
  return { ...own, costNano, breakdown, note: [...(own.note === undefined ? [] : [own.note]), ...left].join('; ') };
}

/** A sub-inference's counts as a Usage of its own (no reasoning split: an advisor's thinking is in output; an image's tokens are image output). */
function advisorAsUsage(a: AdvisorUsage): Usage {
  const usage = stepAsUsage(a);
  if (a.outputImageTokens !== undefined) usage.outputImageTokens = a.outputImageTokens;
  return usage;
}

/** Display form of an entry at `at`. */
export function describeEntry(entry: PriceEntry, at: number): PriceDescription {
  const version = selectVersion(entry.versions, at);
  const { rates, unmetered, constraint } = version;
  // A config entry's prices held flat where its catalog entry's change: listed, and their thresholds shown as tiers too.
  const catalogVersion = entry.inherited?.catalog[entry.versions.indexOf(version)];
  const untiered = entry.inherited && catalogVersion ? untieredPrices(entry.inherited.own, catalogVersion.rates) : [];
  const thresholds = [...new Set([...tierThresholds(rates), ...untieredThresholds(untiered)])].sort((a, b) => a - b);
  const d: PriceDescription = {
    source: entry.source,
    providerId: entry.providerId,
    modelId: entry.modelId,
    rates: rateSetAt(rates, 0),
    tiers: thresholds.map((above) => ({ aboveInputTokens: above, rates: rateSetAt(rates, above + 1) })),
    unmetered: [...unmetered],
    timeDependent: entry.versions.length > 1,
    deprecated: entry.deprecated,
  };
  if (entry.name) d.name = entry.name;
  if (entry.sourceSince !== undefined) d.sourceSince = entry.sourceSince;
  if (entry.contextWindow !== undefined) d.contextWindow = entry.contextWindow;
  if (constraint?.type === 'start_date') d.effectiveFrom = constraint.startMs;
  else if (constraint?.type === 'time_of_day') d.window = { startSec: constraint.startSec, endSec: constraint.endSec };
  if (entry.inherited) {
    const { own, catalog: _versions, ...from } = entry.inherited;
    const ownSet = rateSetAt(own, 0);
    const fields = (Object.keys(d.rates) as Array<keyof RateSet>).filter((k) => ownSet[k] === null && [d.rates, ...d.tiers.map((t) => t.rates)].some((r) => r[k] !== null));
    if (fields.length > 0 || untiered.length > 0) d.inherited = untiered.length > 0 ? { ...from, fields, untiered } : { ...from, fields };
  }
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
