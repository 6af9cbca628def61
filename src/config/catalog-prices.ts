import { builtinProvider } from '../providers/builtins.js';
import type { Config, ProviderConfig } from './schema.js';

/**
 * The one decision whether the price catalog (tokometer's overrides, stored snapshots, the
 * pinned catalog) may price calls through a configured provider (`providers.NAME.catalog_prices`).
 * The catalog's `model_match` rules claim model names for the vendor that sells them, so
 * without this a call named gpt-4o to the team's own GPU server would be metered at
 * OpenAI's price. With false, only `prices:` entries price the provider's calls.
 */

/** Which rule one provider gets, and why. */
export interface CatalogPricesRule {
  /** True: the catalog prices model names it knows; false: `prices:` entries alone. */
  catalog: boolean;
  /** `set`: written as catalog_prices; `keyless`: the default for a custom provider with no credential; `credential`: the default otherwise. */
  why: 'set' | 'keyless' | 'credential';
}

/**
 * The rule of provider `name`: catalog_prices as written, else false for a custom provider
 * (not a built-in name) with neither api_key nor auth_header — a local server, which
 * README's "no key" providers are — and true for every other one (a built-in provider, or
 * a custom one with a credential: Azure OpenAI, a reseller, which bill at the vendor's prices).
 * A keyless provider at a remote address is a self-hosted one too: a vendor that bills
 * takes a key.
 */
export function catalogPricesRule(name: string, provider: ProviderConfig): CatalogPricesRule {
  if (provider.catalog_prices !== undefined) return { catalog: provider.catalog_prices, why: 'set' };
  const keyless = builtinProvider(name) === undefined && provider.api_key === undefined && provider.auth_header === undefined;
  return keyless ? { catalog: false, why: 'keyless' } : { catalog: true, why: 'credential' };
}

/** Each configured provider's rule as the pricer takes it (pricing/pricer.ts `catalogPrices`): name → may the catalog price its calls. */
export function catalogPricesByProvider(providers: Config['providers']): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, p] of Object.entries(providers)) out[name] = catalogPricesRule(name, p).catalog;
  return out;
}

/**
 * One line per provider whose rule is worth saying, in config order: every custom provider
 * and any provider with catalog_prices: false. `config check` prints them under `provider
 * prices`; serve logs each at start.
 */
export function catalogPricesLines(providers: Config['providers']): string[] {
  const lines: string[] = [];
  for (const [name, p] of Object.entries(providers)) {
    const rule = catalogPricesRule(name, p);
    if (builtinProvider(name) !== undefined && rule.catalog) continue;
    lines.push(`${name}: ${ruleText(rule, p.api_key === undefined ? 'an auth_header' : 'an api_key')}`);
  }
  return lines;
}

/** The rule in words; `credential` names what the provider has (`an api_key`). */
function ruleText(rule: CatalogPricesRule, credential: string): string {
  if (rule.why === 'keyless') return 'no api_key, priced only from prices: (catalog_prices: false); set catalog_prices: true to use catalog prices for model names it knows';
  if (rule.why === 'credential') return `catalog prices for model names it knows (catalog_prices: true: it has ${credential}); set catalog_prices: false to price it only from prices:`;
  return rule.catalog ? 'catalog prices for model names it knows (catalog_prices: true)' : 'priced only from prices: (catalog_prices: false)';
}
