import type { CatalogModel, CatalogProvider, MatchLogic } from './catalog-data.js';

/**
 * The catalog's name-matching rules over catalog data, as @pydantic/genai-prices 0.1.8
 * applies them in `calcPrice` and `findProvider` (test/pricing/catalog-match.test.ts
 * compares both on every model of the pinned catalog):
 * - a clause compares lower-cased strings, except `regex`, which tests the name as given;
 * - a provider is found by exact id, else by its `provider_match`;
 * - without a provider, the first provider whose `model_match` claims the name;
 * - within a provider, the first model whose `match` claims the lower-cased, trimmed
 *   name, then the same in each `fallback_model_providers` entry (one level, by exact id),
 *   then all of that again with `-YYYYMMDD` dates rewritten as `-YYYY-MM-DD`.
 * The library's `litellm` provider-id special case is left out: no tokometer provider
 * maps to it.
 */

const regexes = new WeakMap<object, RegExp>();

/** True when `logic` claims `text`. */
export function matchesLogic(logic: MatchLogic, text: string): boolean {
  if ('or' in logic) return logic.or.some((c) => matchesLogic(c, text));
  if ('and' in logic) return logic.and.every((c) => matchesLogic(c, text));
  if ('equals' in logic) return text.toLowerCase() === logic.equals.toLowerCase();
  if ('starts_with' in logic) return text.toLowerCase().startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return text.toLowerCase().endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return text.toLowerCase().includes(logic.contains.toLowerCase());
  if ('regex' in logic) {
    let re = regexes.get(logic);
    if (re === undefined) {
      re = new RegExp(logic.regex);
      regexes.set(logic, re);
    }
    return re.test(text);
  }
  return false;
}

/** The provider with id `providerId` (trimmed, lower-cased), else the first whose `provider_match` claims it. */
export function findCatalogProvider(data: readonly CatalogProvider[], providerId: string): CatalogProvider | undefined {
  const id = providerId.toLowerCase().trim();
  return data.find((p) => p.id === id) ?? data.find((p) => p.provider_match !== undefined && matchesLogic(p.provider_match, id));
}

/** The first provider whose `model_match` claims `model` (as given). */
export function inferCatalogProvider(data: readonly CatalogProvider[], model: string): CatalogProvider | undefined {
  return data.find((p) => p.model_match !== undefined && matchesLogic(p.model_match, model));
}

const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** `-YYYYMMDD` (a real date) rewritten as `-YYYY-MM-DD`, everywhere in `name`. */
function dashedDates(name: string): string {
  return name.replace(COMPACT_DATE, (whole: string, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    const real = date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
    return real ? `${dash}${y}-${m}-${d}` : whole;
  });
}

function inProvider(provider: CatalogProvider, name: string, data: readonly CatalogProvider[] | undefined): CatalogModel | undefined {
  const own = provider.models.find((m) => matchesLogic(m.match, name));
  if (own) return own;
  if (!data || !provider.fallback_model_providers) return undefined;
  for (const id of provider.fallback_model_providers) {
    const other = data.find((p) => p.id === id);
    const found = other && inProvider(other, name, undefined);
    if (found) return found;
  }
  return undefined;
}

/**
 * The model of `provider` (or of its fallback providers in `data`) that claims `name`.
 * `name` is trimmed and lower-cased first, as the catalog does.
 */
export function findCatalogModel(data: readonly CatalogProvider[], provider: CatalogProvider, name: string): CatalogModel | undefined {
  const n = name.toLowerCase().trim();
  const found = inProvider(provider, n, data);
  if (found) return found;
  const dashed = dashedDates(n);
  return dashed === n ? undefined : inProvider(provider, dashed, data);
}
