import type { CatalogModel, CatalogProvider } from './catalog-data.js';
import { catalogProviderId, inferProviderId, matchModel, nameCandidates, vendorProviderId } from './catalog.js';
import { configProviderMatches, type ConfigPrice } from './config-prices.js';
import { overrideProvider } from './overrides.js';
import { versionsFromModelInfo, type PriceVersion } from './rates.js';
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
  return entry;
}

export function entryFromConfig(c: ConfigPrice): PriceEntry {
  return { source: 'config', providerId: c.provider ?? null, modelId: c.key, deprecated: false, versions: [c.version] };
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
 */
export function resolvePrice(config: ReadonlyMap<string, ConfigPrice>, layers: readonly CatalogLayer[], provider: string | undefined, model: string): Resolution {
  const name = normalizeModelName(model);
  if (name === '') return { ok: false, reason: 'no model name' };

  for (const n of configNames(name)) {
    const c = config.get(n.toLowerCase());
    if (c && configProviderMatches(c.provider, provider)) return { ok: true, entry: entryFromConfig(c) };
  }

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
