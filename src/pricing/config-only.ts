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

