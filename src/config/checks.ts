import type { Config } from './schema.js';
import type { Problem } from './problems.js';
import { BUILTIN_PROVIDER_NAMES, builtinProvider, familyOf, isBuiltinProvider } from '../providers/builtins.js';
import { CATALOG_PROVIDER_IDS } from '../pricing/catalog.js';
import { closest } from '../lib/edit-distance.js';
import { familyOfWord } from './providers.js';

/**
 * Checks that need more than one field, run after the schema accepted the document.
 * Paths point into the YAML as written, so each problem gets a source position.
 */
export function semanticProblems(config: Config): Problem[] {
  const budgeted = (name: string) => Object.hasOwn(config.keys, name) && config.keys[name]?.budget !== undefined;
  return [...entryProblems(config), ...budgetNameProblems(config.budgets.map((b) => b.name), budgeted)];
}

/** semanticProblems without the budget names: each about one entry of the config and the names it refers to. */
export function entryProblems(config: Config): Problem[] {
  return [...providerProblems(config), ...allowListProblems(config), ...priceProviderProblems(config)];
}

/** The built-in provider whose name `name` (not built in) looks like a typo of (edit distance 2 or less), if any. */
export function builtinNameNear(name: string): string | undefined {
  return isBuiltinProvider(name) ? undefined : closest(name, BUILTIN_PROVIDER_NAMES);
}

/** OpenAI-family options: refused on a provider of another family, which would ignore them. */
const OPENAI_ONLY_OPTIONS = ['auth_header', 'deployments'] as const;

/** A provider without a built-in base URL for its family must set one; options of the openai family only on it. */
function providerProblems(config: Config): Problem[] {
  const problems: Problem[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    const family = familyOf(name, provider.kind && familyOfWord(provider.kind));
    for (const option of OPENAI_ONLY_OPTIONS) {
      if (provider[option] !== undefined && family !== 'openai') {
        problems.push({ path: ['providers', name, option], message: `${option} applies to openai-compatible providers (the openai family) only; "${name}" speaks ${family}: remove it` });
      }
    }
    if (provider.base_url) continue;
    const path = ['providers', name, 'base_url'];
    const builtin = builtinProvider(name);
    if (!builtin) {
      const kind = provider.kind ?? 'openai-compatible';
      const what = kind === 'openai-compatible' ? 'an openai-compatible provider' : `a provider of kind ${kind}`;
      const near = builtinNameNear(name);
      const message = near === undefined ? `required: "${name}" is not a built-in provider, so ${what} needs a base_url` : `required: "${name}" is not a built-in provider; did you mean "${near}"? Otherwise ${what} needs a base_url`;
      problems.push({ path, message });
    } else if (provider.kind && familyOfWord(provider.kind) !== builtin.family) {
      problems.push({ path, message: `required: kind ${provider.kind} differs from the built-in "${name}" (${builtin.family}), so it needs a base_url` });
    }
  }
  return problems;
}

/** True when serve knows provider `name`: built in, or under `providers:` (a key allowed only others is refused on every call). */
export function isKnownProvider(config: Pick<Config, 'providers'>, name: string): boolean {
  return isBuiltinProvider(name) || Object.hasOwn(config.providers, name);
}

/** Provider names in key allow-lists must exist (a typo would silently block every call). */
function allowListProblems(config: Config): Problem[] {
  const known = (name: string): boolean => isKnownProvider(config, name);
  const problems: Problem[] = [];
  for (const [keyName, key] of Object.entries(config.keys)) {
    key.providers?.forEach((name, i) => {
      if (!known(name)) problems.push({ path: ['keys', keyName, 'providers', i], message: `unknown provider "${name}" (not built in and not under providers:)` });
    });
  }
  return problems;
}

/**
 * A `prices:` entry's `provider` must name a provider calls can go through: one under
 * `providers:`, or a built-in one by its name or its catalog id (`gemini` or `google`).
 * Those are the only names a call's provider can equal or share a catalog id with
 * (pricing/config-prices.ts configProviderMatches, which trims and ignores case, as this
 * does); with any other name the price never applies and the calls stay unpriced.
 */
function priceProviderProblems(config: Config): Problem[] {
  const configured = Object.keys(config.providers);
  const known = new Set([...configured, ...Object.keys(CATALOG_PROVIDER_IDS)]);
  const problems: Problem[] = [];
  for (const [model, price] of Object.entries(config.prices)) {
    const name = price.provider?.trim().toLowerCase();
    if (name === undefined || known.has(name)) continue;
    const close = closest(name, [...known]);
    const hint = close ? `; did you mean ${JSON.stringify(close)}?` : '';
    problems.push({ path: ['prices', model, 'provider'], message: `unknown provider ${JSON.stringify(price.provider)}${hint} (not under providers: and not built in, so no call would get this price)` });
  }
  return problems;
}

/**
 * Budget names identify a budget in 429 bodies, alerts and /admin/budgets: tag budgets
 * must not repeat a name, nor reuse the name of a key that has a budget (`budgeted`).
 * `names[i]` is the name of `budgets[i]`, undefined when it has none to compare (the schema
 * refused it), so the indexes in paths and messages are those of the file.
 */
export function budgetNameProblems(names: ReadonlyArray<string | undefined>, budgeted: (keyName: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  const firstIndex = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    const path = ['budgets', i, 'name'];
    const earlier = firstIndex.get(name);
    if (earlier !== undefined) {
      problems.push({ path, message: `duplicate budget name "${name}" (also budgets[${earlier}])` });
      return;
    }
    firstIndex.set(name, i);
    if (budgeted(name)) problems.push({ path, message: `budget name "${name}" is already used by the budget of keys.${name}` });
  });
  return problems;
}
