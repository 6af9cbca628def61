import type { CatalogModel, CatalogProvider } from './catalog-data.js';
import { catalogProviderId, inferProviderId, matchModel, nameCandidates, vendorProviderId } from './catalog.js';
import { configProviderMatches, type ConfigPrice } from './config-prices.js';
import { overrideProvider } from './overrides.js';
import { versionsFromModelInfo, type Dimension, type PriceVersion, type Rates } from './rates.js';
import type { PriceSource } from './types.js';

/** Everything needed to price calls to one model at any moment. */
export interface PriceEntry {
  source: PriceSource;
  /** Catalog provider id; for config entries the configured provider, or null. */
  providerId: string | null;
  modelId: string;
  name?: string;
  deprecated: boolean;
  /** Dated / time-of-day versions in catalog order; pick one with `selectVersion`. */
  versions: PriceVersion[];
  /** When the source took effect (a snapshot's storing time, ms); absent for built-in and config prices. */
  sourceSince?: number;
  /** Most tokens of one call, prompt and output (CatalogModel.context_window); absent when unknown. */
  contextWindow?: number;
  /**
   * A config entry's catalog part: the catalog entry (override, snapshot or pinned) of the
   * same model whose rates fill the dimensions the config leaves unset (`versions` are
   * then the catalog's, each with the config's own rates laid over it). Absent when the
   * catalog does not price the model, and for catalog entries.
   */
  inherited?: InheritedRates;
}

/** Where the dimensions a config entry leaves unset are priced from. */
export interface InheritedRates {
  source: PriceSource;
  providerId: string | null;
  modelId: string;
  sourceSince?: number;
  /** The config entry's own rates (with its own tiers, no dates): every other priced dimension is the catalog's. */
  own: Rates;
  /** The catalog entry's versions as they are, one per version of the merged entry, in the same order: what `own` replaced (pricing/entry-tiers.ts). */
  catalog: readonly PriceVersion[];
}

/**
 * Catalog data at one precedence level: the newest stored snapshot, then the pinned
 * catalog. `since` is when that data took effect (a snapshot's storing time, ms).
 */
export interface CatalogLayer {
  source: PriceSource;
  data: readonly CatalogProvider[];
  since?: number;
}

export type Resolution = { ok: true; entry: PriceEntry } | { ok: false; reason: string };

/** Builds an entry from a catalog or override model. Throws on malformed prices. */
export function entryFromModel(source: PriceSource, providerId: string, model: CatalogModel, sourceSince?: number): PriceEntry {
  const entry: PriceEntry = { source, providerId, modelId: model.id, deprecated: model.deprecated ?? false, versions: versionsFromModelInfo(model) };
  if (model.name) entry.name = model.name;
  if (sourceSince !== undefined) entry.sourceSince = sourceSince;
  if (model.context_window !== undefined) entry.contextWindow = model.context_window;
  return entry;
}

export function entryFromConfig(c: ConfigPrice): PriceEntry {
  // Standing alone (no catalog price to take it from), an output price left unset is 0.
  const version = c.version.rates.output === undefined ? { ...c.version, rates: { ...c.version.rates, output: { base: 0, tiers: [] } } } : c.version;
  return { source: 'config', providerId: c.provider ?? null, modelId: c.key, deprecated: false, versions: [version] };
}

/** Model name as the catalog knows it: trimmed, without Gemini's `models/` prefix. */
export function normalizeModelName(model: string): string {
  const m = model.trim();
  return m.toLowerCase().startsWith('models/') ? m.slice('models/'.length) : m;
}

interface Target {
  providerId: string;
  name: string;
}

/**
 * Where to look for `model`, most specific first. Each name is tried as given and then
 * without its snapshot date. A known provider is searched under its catalog id; a custom
 * (or absent) provider under whichever catalog provider claims the name. A `vendor/model`
 * name at OpenRouter or a custom provider is finally tried as `model` at that vendor.
 */
function targets(data: readonly CatalogProvider[], provider: string | undefined, name: string): Target[] {
  const known = provider === undefined ? undefined : catalogProviderId(provider);
  const out: Target[] = [];
  const add = (providerId: string | undefined, n: string) => {
    for (const candidate of nameCandidates(n)) {
      const pid = providerId ?? inferProviderId(candidate, data);
      if (pid) out.push({ providerId: pid, name: candidate });
    }
  };
  add(known, name);
  const slash = name.indexOf('/');
  if (slash > 0 && (known === undefined || known === 'openrouter')) {
    const vendor = vendorProviderId(name.slice(0, slash));
    if (vendor) add(vendor, name.slice(slash + 1));
  }
  return out;
}

/** Config names to try: the name, without its date, and the part after a `vendor/`. */
function configNames(name: string): string[] {
  const slash = name.indexOf('/');
  const names = nameCandidates(name);
  if (slash > 0) names.push(...nameCandidates(name.slice(slash + 1)));
  return names;
}

/**
 * Finds the price entry for `model` called through `provider` (a tokometer provider name;
 * undefined = by model name alone). Order: config, then for each catalog layer (newest
 * snapshot, pinned catalog) and each name it yields: tokometer's overrides, then the layer.
 * A config entry takes the dimensions it leaves unset from the catalog (`configEntry`).
 */
export function resolvePrice(config: ReadonlyMap<string, ConfigPrice>, layers: readonly CatalogLayer[], provider: string | undefined, model: string): Resolution {
  const name = normalizeModelName(model);
  if (name === '') return { ok: false, reason: 'no model name' };

  for (const n of configNames(name)) {
    const c = config.get(n.toLowerCase());
    if (c && configProviderMatches(c.provider, provider)) return { ok: true, entry: configEntry(c, layers, provider, model) };
  }
  return resolveCatalog(layers, provider, model);
}

/**
 * The entry of config price `c` for `model` (default: its key) called through `provider`
 * (default: the entry's own provider). The catalog's entry for the same call — the same
 * resolution as without the config: overrides, newest snapshot, pinned catalog — prices
 * every dimension the config leaves unset (output, cache reads and writes, audio, image,
 * reasoning, web and file search), with its tiers and at its version valid at the call's
 * time. With no catalog price (or an unusable one), or through a provider the catalog does
 * not list (a custom one), the config entry stands alone: unset output is 0, unset cache
 * prices fall back to its input price, the rest is not priced separately.
 */
export function configEntry(c: ConfigPrice, layers: readonly CatalogLayer[], provider?: string, model: string = c.key): PriceEntry {
  const own = entryFromConfig(c);
  const through = provider ?? c.provider;
  // A custom provider (ollama, a self-hosted vLLM) is no catalog provider: another provider's
  // price for a model of the same name is not its price, so its entry stands alone.
  if (through !== undefined && catalogProviderId(through) === undefined) return own;
  const catalog = resolveCatalog(layers, through, model);
  return catalog.ok ? withCatalogRates(own, c.version.rates, catalog.entry) : own;
}

/** Catalog dimensions a config rate replaces: `cache_write` prices every 5-minute write, under either catalog key. */
const REPLACES: Partial<Record<Dimension, readonly Dimension[]>> = { cacheWrite: ['cacheWrite', 'cacheWrite5m'] };

/** `entry` (from the config, rates `own`) with the catalog entry's versions, each with `own` laid over it. */
function withCatalogRates(entry: PriceEntry, own: Rates, catalog: PriceEntry): PriceEntry {
  const versions = catalog.versions.map((v): PriceVersion => {
    const rates: Rates = { ...v.rates };
    for (const [dim, rate] of Object.entries(own) as Array<[Dimension, Rates[Dimension]]>) {
      for (const replaced of REPLACES[dim] ?? [dim]) delete rates[replaced];
      rates[dim] = rate;
    }
    return v.constraint ? { constraint: v.constraint, rates, unmetered: v.unmetered } : { rates, unmetered: v.unmetered };
  });
  const inherited: InheritedRates = { source: catalog.source, providerId: catalog.providerId, modelId: catalog.modelId, own, catalog: catalog.versions };
  if (catalog.sourceSince !== undefined) inherited.sourceSince = catalog.sourceSince;
  // The model is the catalog's, so its context window is too.
  return catalog.contextWindow === undefined ? { ...entry, versions, inherited } : { ...entry, versions, inherited, contextWindow: catalog.contextWindow };
}

/** The catalog part of `resolvePrice`: overrides, then the layers, newest first. */
function resolveCatalog(layers: readonly CatalogLayer[], provider: string | undefined, model: string): Resolution {
  const name = normalizeModelName(model);
  if (name === '') return { ok: false, reason: 'no model name' };
  for (const layer of layers) {
    for (const t of targets(layer.data, provider, name)) {
      const overrides = overrideProvider(t.providerId);
      try {
        const o = overrides ? matchModel(layer.data, t.name, undefined, overrides) : null;
        if (o) return { ok: true, entry: entryFromModel('override', t.providerId, o.model) };
        const c = matchModel(layer.data, t.name, t.providerId);
        if (c) return { ok: true, entry: entryFromModel(layer.source, c.providerId, c.model, layer.since) };
      } catch (e) {
        return { ok: false, reason: `price entry for '${t.name}' at '${t.providerId}' is unusable: ${(e as Error).message}` };
      }
    }
  }

  const where = provider === undefined ? '' : catalogProviderId(provider) ? ` at provider '${provider}'` : ` at custom provider '${provider}'`;
  return { ok: false, reason: `no known price for model '${model}'${where}; add one under 'prices:' in the config` };
}
