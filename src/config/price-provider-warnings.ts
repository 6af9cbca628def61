import { createPricer, type Pricer } from '../pricing/pricer.js';
import { BUILTIN_PROVIDERS, BUILTIN_PROVIDER_NAMES, type ProviderFamily, familyOf, isBuiltinProvider } from '../providers/builtins.js';
import { catalogPricesByProvider } from './catalog-prices.js';
import { priceNameWarnings } from './price-name-warnings.js';
import { priceTierWarnings } from './price-tier-warnings.js';
import { familyOfWord } from './providers.js';
import type { Config, FamilyWord } from './schema.js';

/** The kind a custom provider gets when its config sets none (config/schema.ts providerSchema). */
const CUSTOM_DEFAULT_KIND: FamilyWord = 'openai-compatible';

/**
 * Every warning about the `prices:` section that config check prints and serve logs at start:
 * entries that miss a custom provider of their kind (customProviderPriceWarnings), entries
 * whose model looks like a typo of a catalog model (config/price-name-warnings.ts), then
 * entries that hold a price flat where the catalog has a long-context tier
 * (config/price-tier-warnings.ts).
 */
export function priceConfigWarnings(config: Pick<Config, 'providers' | 'prices'>): string[] {
  return [...customProviderPriceWarnings(config), ...priceNameWarnings(config), ...priceTierWarnings(config)];
}

/**
 * One warning per `prices:` entry restricted to a family's own built-in provider (openai,
 * anthropic, gemini, mistral, cohere; by name, or by catalog id such as `google`: the name
 * that reads like the custom provider's kind), naming every custom provider (under
 * `providers:`, not built in) of the same family for which no entry of that model names the
 * custom provider. Prices are per provider (pricing/config-prices.ts configProviderMatches):
 * `provider: openai` does not price calls through `azure-eu` of kind openai-compatible. What
 * those calls get instead is what the catalog gives without the entry: the bundled catalog is
 * asked (a custom provider's calls are priced by model name, unless its catalog_prices is
 * false: config/catalog-prices.ts), so the warning says "take the
 * catalog's price" or "stay unpriced". The first always holds (a stored snapshot from `prices
 * update` never hides a model of the bundled catalog); the second unless such a snapshot adds
 * the model, which config check cannot see (it opens no database): for the names this is
 * about (fine-tunes, deployments) that is rare. That is correct behaviour, so this is a
 * warning (config check and serve's start), not a refusal: the config cannot tell whether
 * the custom provider serves the model. Entries without `provider` apply to every provider
 * and are never named.
 */
export function customProviderPriceWarnings(config: Pick<Config, 'providers' | 'prices'>): string[] {
  const custom = Object.entries(config.providers)
    .filter(([name]) => !isBuiltinProvider(name))
    .map(([name, p]) => ({ name, kind: p.kind ?? CUSTOM_DEFAULT_KIND }));
  if (custom.length === 0) return [];
  let catalog: Pricer | undefined;
  const warnings: string[] = [];
  for (const [model, price] of Object.entries(config.prices)) {
    const named = price.provider?.trim();
    const family = named === undefined ? undefined : builtinFamilyOf(config, named.toLowerCase());
    if (family === undefined) continue;
    const missed = custom.filter(({ name, kind }) => familyOfWord(kind) === family && !namesProviderFor(config.prices, model, name));
    if (missed.length === 0) continue;
    catalog ??= createPricer({}, { catalogPrices: catalogPricesByProvider(config.providers) });
    const pricer = catalog;
    const fates = groupBy(missed, ({ name }) => (pricer.describe(model.trim(), name) === null ? 'stay unpriced' : "take the catalog's price, not this entry's"));
    const through = [...fates].map(([fate, providers]) => `through ${providerList(providers)} ${fate}`).join(', ');
    const alone = missed.length === 1 ? `; for ${missed[0]!.name} alone, write provider: ${missed[0]!.name}` : '';
    warnings.push(`prices.${model} names provider: ${named}, so its calls ${through}: prices are per provider. To price every provider's calls, leave provider out${alone}`);
  }
  return warnings;
}

/** `a and b (kind k)`, or `a (kind k), b (kind l)` when their kinds differ. */
function providerList(providers: ReadonlyArray<{ name: string; kind: string }>): string {
  const and = (items: readonly string[]) => (items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`);
  const kinds = new Set(providers.map((p) => p.kind));
  if (kinds.size === 1) return `${and(providers.map((p) => p.name))} (kind ${providers[0]!.kind})`;
  return and(providers.map((p) => `${p.name} (kind ${p.kind})`));
}

/** `items` grouped by `key`, groups in order of first appearance. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * The family of built-in provider `name` (lower case), also given by its catalog id
 * (`google`, `x-ai`), as configured when the config gives it a kind; undefined when `name`
 * is no built-in provider (a custom one: an entry naming it is the form the warning asks for).
 */
function builtinFamilyOf(config: Pick<Config, 'providers'>, name: string): ProviderFamily | undefined {
  const builtin = isBuiltinProvider(name) ? name : BUILTIN_PROVIDER_NAMES.find((n) => BUILTIN_PROVIDERS[n].catalogId === name);
  // Only the family's own provider (openai, anthropic, gemini…) reads like a kind; an entry naming a vendor of the family (groq, openrouter) means that vendor.
  if (builtin === undefined || BUILTIN_PROVIDERS[builtin].family !== builtin) return undefined;
  const kind = Object.hasOwn(config.providers, builtin) ? config.providers[builtin]?.kind : undefined;
  return familyOf(builtin, kind === undefined ? undefined : familyOfWord(kind));
}

/** True when a `prices:` entry for `model` (trimmed, any case, as prices are looked up) names `provider`. */
function namesProviderFor(prices: Config['prices'], model: string, provider: string): boolean {
  const wanted = model.trim().toLowerCase();
  return Object.entries(prices).some(([m, p]) => m.trim().toLowerCase() === wanted && p.provider?.trim().toLowerCase() === provider);
}
