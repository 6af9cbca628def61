import { closest, editDistance } from '../lib/edit-distance.js';
import { LISTED_PROVIDERS, catalogProvider, catalogProviderId } from './catalog.js';
import { OVERRIDE_MODELS } from './overrides.js';

/** A catalog model id one edit away from a name the catalog does not price. */
export interface NearModel {
  id: string;
  /** True when `id` is a model of the provider asked about; false when searched among every provider's. */
  ofProvider: boolean;
}

/**
 * The model of the pinned catalog and tokometer's overrides that `model` looks like a typo of
 * (`gpt4o` → gpt-4o): among `provider`'s models (every listed provider's when it is undefined
 * or the catalog lists none for it), the nearest one a single edit away (lib/edit-distance.ts
 * `closest`, kept to distance 1), unless the two differ only in one digit (gpt-6 beside gpt-5,
 * o5 beside o1: another version, not a typo). The caller checks first that `model` is unpriced.
 * Used by the config's `prices:` warnings and `prices show`.
 */
export function nearCatalogModel(model: string, provider?: string): NearModel | undefined {
  const own = provider === undefined ? [] : modelIds(provider.trim().toLowerCase());
  const candidates = own.length > 0 ? own : modelIds(undefined);
  const near = oneEditAway(model, candidates);
  return near === undefined ? undefined : { id: near, ofProvider: own.length > 0 };
}

/**
 * The name of `candidates` (lower-case) that `name` looks like a typo of: the nearest a single
 * edit away, unless the two differ only in one digit (another version); undefined when none.
 * nearCatalogModel's rule, also used for the config's `prices:` entries.
 */
export function oneEditAway(name: string, candidates: readonly string[]): string | undefined {
  const n = name.trim();
  // Only a name one edit away counts, and such a name is at most one character longer or shorter.
  const near = closest(n, candidates.filter((id) => Math.abs(id.length - n.length) <= 1));
  if (near === undefined || editDistance(n.toLowerCase(), near) !== 1 || isOtherVersion(n.toLowerCase(), near)) return undefined;
  return near;
}

const idCache = new Map<string | undefined, string[]>();

/**
 * Model ids of the pinned catalog and tokometer's overrides for `provider` (every listed
 * provider's when undefined; none for a provider the catalog does not list), computed once
 * each (both are fixed at build time). Read from the catalog directly: Pricer.list describes
 * every price, ~30x slower.
 */
function modelIds(provider: string | undefined): string[] {
  let ids = idCache.get(provider);
  if (ids === undefined) {
    const pid = provider === undefined ? undefined : catalogProviderId(provider);
    const providers = provider === undefined ? LISTED_PROVIDERS : pid === undefined ? [] : [pid];
    ids = [...new Set(providers.flatMap((id) => [...(OVERRIDE_MODELS[id] ?? []), ...(catalogProvider(id)?.models ?? [])].map((m) => m.id)))];
    idCache.set(provider, ids);
  }
  return ids;
}

/** True when `a` and `b` (same length) differ in one place, a digit in both: a version, not a typo. */
function isOtherVersion(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((c, i) => c !== b[i]);
  return at >= 0 && /\d/.test(a[at]!) && /\d/.test(b[at]!);
}
