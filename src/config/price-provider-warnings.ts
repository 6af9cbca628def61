import { BUILTIN_PROVIDERS, BUILTIN_PROVIDER_NAMES, type ProviderFamily, familyOf, isBuiltinProvider } from '../providers/builtins.js';
import { familyOfWord } from './providers.js';
import type { Config, FamilyWord } from './schema.js';

/** The kind a custom provider gets when its config sets none (config/schema.ts providerSchema). */
const CUSTOM_DEFAULT_KIND: FamilyWord = 'openai-compatible';

/**
 * One warning per `prices:` entry restricted to a family's own built-in provider (openai,
 * anthropic, gemini, mistral, cohere; by name, or by catalog id such as `google`: the name
 * that reads like the custom provider's kind) and per custom provider (under `providers:`, not built in) of the same
 * family for which no entry of that model names the custom provider. Prices are per provider
 * (pricing/config-prices.ts configProviderMatches): `provider: openai` does not price calls
 * through `azure-eu` of kind openai-compatible, which then stay unpriced, or take the
 * catalog's price when it has the model. That is correct, so this is a warning (config check
 * and serve's start), not a refusal: the config cannot tell whether the custom provider serves
 * the model. Entries without `provider` apply to every provider and are never named.
 */
export function customProviderPriceWarnings(config: Pick<Config, 'providers' | 'prices'>): string[] {
  const custom = Object.entries(config.providers)
    .filter(([name]) => !isBuiltinProvider(name))
    .map(([name, p]) => ({ name, kind: p.kind ?? CUSTOM_DEFAULT_KIND }));
  if (custom.length === 0) return [];
  const warnings: string[] = [];
  for (const [model, price] of Object.entries(config.prices)) {
    const named = price.provider?.trim();
    const family = named === undefined ? undefined : builtinFamilyOf(config, named.toLowerCase());
    if (family === undefined) continue;
    for (const { name, kind } of custom) {
      if (familyOfWord(kind) !== family || namesProviderFor(config.prices, model, name)) continue;
      warnings.push(
        `prices.${model} names provider: ${named}, so it does not price ${model} calls through ${name} (kind ${kind}): prices are per provider, and those calls stay unpriced (or at the catalog's price, if it has the model). ` +
          `For ${name} write provider: ${name}; to price every provider's calls, leave provider out`,
      );
    }
  }
  return warnings;
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
