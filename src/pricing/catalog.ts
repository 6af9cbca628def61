import { BUILTIN_PROVIDERS, BUILTIN_PROVIDER_NAMES, type BuiltinProviderName } from '../providers/builtins.js';
import { unpackCatalog, type CatalogModel, type CatalogProvider, type PackedProvider } from './catalog-data.js';
import { findCatalogModel, findCatalogProvider, inferCatalogProvider } from './catalog-match.js';
import { PINNED_CATALOG_JSON, PINNED_CATALOG_VERSION } from './pinned-catalog.js';

/**
 * The pinned price catalog (@pydantic/genai-prices data, extracted at build time into
 * pinned-catalog.ts) and the provider names around it, behind a few small functions.
 */

/** `source` of pinned catalog prices. Kept in step with package.json by a test. */
export const CATALOG_SOURCE = `genai-prices@${PINNED_CATALOG_VERSION}` as const;

let pinned: readonly CatalogProvider[] | undefined;

/** The pinned catalog's data: providers parsed on first use, each one's models when first read. */
export function pinnedCatalog(): readonly CatalogProvider[] {
  pinned ??= unpackCatalog(JSON.parse(PINNED_CATALOG_JSON) as PackedProvider[]);
  return pinned;
}

/**
 * tokometer provider name → catalog provider id, from the built-in table; catalog ids are
 * accepted as names too (`google`, `x-ai`).
 */
export const CATALOG_PROVIDER_IDS: Readonly<Record<string, string>> = namesAndIds(BUILTIN_PROVIDER_NAMES);

/** The catalog providers tokometer lists, in display order (the built-in table's). */
export const LISTED_PROVIDERS: readonly string[] = [...new Set(Object.values(CATALOG_PROVIDER_IDS))];

/** OpenRouter's vendor prefixes that differ from a built-in name and its catalog id. */
const VENDOR_ALIASES: Readonly<Record<string, string>> = { mistralai: 'mistral' };

/**
 * `vendor/` prefixes (OpenRouter style) that name a first-party API whose own prices apply:
 * the first-party built-ins by name and by catalog id, plus VENDOR_ALIASES. Hosts of open
 * models (together, groq…) are deliberately absent: their prices are their own.
 */
const VENDOR_PROVIDER_IDS: Readonly<Record<string, string>> = {
  ...namesAndIds(BUILTIN_PROVIDER_NAMES.filter((name) => BUILTIN_PROVIDERS[name].firstParty)),
  ...VENDOR_ALIASES,
};

/** name → catalog id and catalog id → itself for each of `names`, in their order. */
function namesAndIds(names: readonly BuiltinProviderName[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const id = BUILTIN_PROVIDERS[name].catalogId;
    out[name] = id;
    out[id] = id;
  }
  return out;
}

/** Catalog provider id for a tokometer provider name; undefined for custom providers. */
export function catalogProviderId(provider: string): string | undefined {
  return ownValue(CATALOG_PROVIDER_IDS, provider.trim().toLowerCase());
}

/** Catalog provider id for a `vendor/` prefix; undefined when the vendor is not a first-party API. */
export function vendorProviderId(vendor: string): string | undefined {
  return ownValue(VENDOR_PROVIDER_IDS, vendor.toLowerCase());
}

/** `table[key]` when it is the table's own entry (so `constructor` is no provider). */
function ownValue(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The provider of `data` (default: the pinned catalog) whose model-name pattern claims `model`. */
export function inferProviderId(model: string, data: readonly CatalogProvider[] = pinnedCatalog()): string | undefined {
  return inferCatalogProvider(data, model)?.id;
}

/** A provider's full record in `data` (default: the pinned catalog), or undefined. */
export function catalogProvider(providerId: string, data: readonly CatalogProvider[] = pinnedCatalog()): CatalogProvider | undefined {
  return findCatalogProvider(data, providerId);
}

const DATE_SUFFIX = /[-@](\d{4})-?(\d{2})-?(\d{2})$/;

/**
 * `model` without a trailing snapshot date (`-2024-08-06`, `-20250929`, `@20250514`),
 * or null when there is none. Short suffixes like `-2411` are left alone: those are
 * distinct models (mistral-large-2411 ≠ mistral-large-2512).
 */
export function stripDateSuffix(model: string): string | null {
  const m = DATE_SUFFIX.exec(model);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2020 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return model.slice(0, m.index);
}

/** The names to try for `model`, most specific first: as given, then without its date suffix. */
export function nameCandidates(model: string): string[] {
  const stripped = stripDateSuffix(model);
  return stripped ? [model, stripped] : [model];
}

/** A matched model and the provider it was looked up under (a fallback provider's model keeps the queried id). */
export interface CatalogMatch {
  providerId: string;
  model: CatalogModel;
}

/**
 * The model `name` matches in `data` under `providerId` (catalog matching rules, including
 * the YYYYMMDD → YYYY-MM-DD retry and provider fallbacks), or under whichever provider
 * claims the (trimmed, lower-cased) name when `providerId` is undefined. `provider`
 * searches that provider (tokometer's overrides) instead.
 */
export function matchModel(data: readonly CatalogProvider[], name: string, providerId: string | undefined, provider?: CatalogProvider): CatalogMatch | null {
  const p = provider ?? (providerId ? findCatalogProvider(data, providerId) : inferCatalogProvider(data, name.toLowerCase().trim()));
  if (!p) return null;
  const model = findCatalogModel(data, p, name);
  return model ? { providerId: p.id, model } : null;
}
