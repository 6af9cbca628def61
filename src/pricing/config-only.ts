import type { ConfigPrice } from './config-prices.js';
import { normalizeModelName, resolvePrice, type Resolution } from './resolve.js';

/**
 * The resolution of `model` through `provider`, whose calls the catalog may not price
 * (catalog_prices: false): a `prices:` entry for it, standing alone (no catalog layer to
 * take unset prices from), else unpriced with the reason and what to do.
 */
export function configOnlyResolution(config: ReadonlyMap<string, ConfigPrice>, provider: string, model: string): Resolution {
  const r = resolvePrice(config, [], provider, model);
  if (r.ok || normalizeModelName(model) === '') return r;
  return {
    ok: false,
    reason:
      `no price under 'prices:' for model '${model}' at provider '${provider}', which catalog prices do not price (catalog_prices: false); ` +
      `add one under 'prices:' (without provider, or with provider: ${provider}), or set catalog_prices: true under providers.${provider} to price model names the catalog knows at its prices`,
  };
}


/**
 * The catalog rule of each provider named in `byProvider` (name → may the catalog price its
 * calls), looked up case-insensitively: `mayPrice` gives it (undefined for a name not
 * there), `configOnly` is true when `prices:` entries alone price the provider's calls.
 */
export function catalogRules(byProvider: Readonly<Record<string, boolean>> = {}): { mayPrice: (provider: string) => boolean | undefined; configOnly: (provider: string | undefined) => boolean } {
  const rules = new Map(Object.entries(byProvider).map(([name, may]) => [name.trim().toLowerCase(), may]));
  const mayPrice = (provider: string) => rules.get(provider.trim().toLowerCase());
  return { mayPrice, configOnly: (provider) => provider !== undefined && mayPrice(provider) === false };
}
