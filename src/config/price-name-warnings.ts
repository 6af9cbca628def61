import { nearCatalogModel } from '../pricing/near-model.js';
import { createPricer } from '../pricing/pricer.js';
import type { Config } from './schema.js';

/**
 * One warning per `prices:` entry whose model looks like a typo of a catalog model: the
 * catalog (bundled, as config check sees it: no database) prices no model of that name for
 * the entry's provider (every provider's models when the entry names none or a custom
 * provider), and one model id of those is a single edit away (pricing/near-model.ts). An
 * entry prices only calls whose model is its name, so `gpt4o-mini` prices nothing a client
 * sends as gpt-4o-mini. Custom names (fine-tunes, deployments) are
 * legitimate, so this warns (config check and serve's start) and never refuses; a name that
 * differs only in one digit (gpt-6 beside gpt-5, o5 beside o1) is another version, not a typo,
 * and gets no warning.
 */
export function priceNameWarnings(config: Pick<Config, 'prices'>): string[] {
  const entries = Object.entries(config.prices);
  if (entries.length === 0) return [];
  const pricer = createPricer();
  const warnings: string[] = [];
  for (const [written, price] of entries) {
    const model = written.trim();
    const provider = price.provider?.trim().toLowerCase() || undefined;
    if (pricer.describe(model, provider) !== null) continue;
    const near = nearCatalogModel(model, provider);
    if (near === undefined) continue;
    const where = near.ofProvider ? ` for provider ${provider}` : '';
    warnings.push(
      `prices.${written}: the catalog has no model ${model}${where}; did you mean ${near.id}? ` +
        `This entry prices only calls for ${model}: correct the name if it is a typo (a model of your own may keep it)`,
    );
  }
  return warnings;
}
