import { closest, editDistance } from '../lib/edit-distance.js';
import { LISTED_PROVIDERS, catalogProvider, catalogProviderId } from '../pricing/catalog.js';
import { OVERRIDE_MODELS } from '../pricing/overrides.js';
import { createPricer } from '../pricing/pricer.js';
import type { Config } from './schema.js';

/**
 * One warning per `prices:` entry whose model looks like a typo of a catalog model: the
 * catalog (bundled, as config check sees it: no database) prices no model of that name for
 * the entry's provider (every provider's models when the entry names none or a custom
 * provider), and one model id of those is a single edit away (lib/edit-distance.ts `closest`,
 * kept to distance 1). An entry prices only calls whose model is its name, so `gpt4o-mini`
 * prices nothing a client sends as gpt-4o-mini. Custom names (fine-tunes, deployments) are
 * legitimate, so this warns (config check and serve's start) and never refuses; a name that
 * differs only in one digit (gpt-6 beside gpt-5, o5 beside o1) is another version, not a typo,
 * and gets no warning.
 */
export function priceNameWarnings(config: Pick<Config, 'prices'>): string[] {
  const entries = Object.entries(config.prices);
  if (entries.length === 0) return [];
  const pricer = createPricer();
  const idsOf = modelIds();
  const warnings: string[] = [];
  for (const [written, price] of entries) {
    const model = written.trim();
    const provider = price.provider?.trim().toLowerCase() || undefined;
    if (pricer.describe(model, provider) !== null) continue;
    const own = provider === undefined ? [] : idsOf(provider);
    const candidates = own.length > 0 ? own : idsOf(undefined);
    // Only a name one edit away warns, and such a name is at most one character longer or shorter.
    const near = closest(model, candidates.filter((id) => Math.abs(id.length - model.length) <= 1));
    if (near === undefined || editDistance(model.toLowerCase(), near) !== 1 || isOtherVersion(model.toLowerCase(), near)) continue;
    const where = own.length > 0 ? ` for provider ${provider}` : '';
    warnings.push(
      `prices.${written}: the catalog has no model ${model}${where}; did you mean ${near}? ` +
        `This entry prices only calls for ${model}: correct the name if it is a typo (a model of your own may keep it)`,
    );
  }
  return warnings;
}

/**
 * Model ids of the pinned catalog and tokometer's overrides for `provider` (every listed
 * provider's when undefined; none for a provider the catalog does not list), computed once
 * each. Read from the catalog directly: Pricer.list describes every price, ~30x slower.
 */
function modelIds(): (provider: string | undefined) => string[] {
  const cache = new Map<string | undefined, string[]>();
  return (provider) => {
    let ids = cache.get(provider);
    if (ids === undefined) {
      const pid = provider === undefined ? undefined : catalogProviderId(provider);
      const providers = provider === undefined ? LISTED_PROVIDERS : pid === undefined ? [] : [pid];
      ids = [...new Set(providers.flatMap((id) => [...(OVERRIDE_MODELS[id] ?? []), ...(catalogProvider(id)?.models ?? [])].map((m) => m.id)))];
      cache.set(provider, ids);
    }
    return ids;
  };
}

/** True when `a` and `b` (same length) differ in one place, a digit in both: a version, not a typo. */
function isOtherVersion(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((c, i) => c !== b[i]);
  return at >= 0 && /\d/.test(a[at]!) && /\d/.test(b[at]!);
}
