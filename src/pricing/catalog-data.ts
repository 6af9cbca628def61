/**
 * The price catalog's data, in the shape @pydantic/genai-prices publishes it
 * (`Provider[]`, its `prices/new_data/v2/data.json`), cut down to the fields pricing uses.
 *
 * The pinned table (generated at build time from the library) and every stored snapshot
 * go through `compactCatalog`, so both are validated and projected the same way. Prices
 * stay as published: USD per 1M tokens (or per the unit their key names), floats.
 */

/** Name-matching rules; every string comparison is case-insensitive except `regex`. */
export type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

/** A price that changes above a number of prompt tokens (`start` is exclusive). */
export interface TieredPrice {
  base: number;
  tiers: Array<{ start: number; price: number }>;
}

/** Price key (`input_mtok`, `web_searches_kcount`…) → price. */
export type ModelPrice = Record<string, number | TieredPrice>;

/** A price valid from a UTC date, or in a daily window (`16:30:00Z`, `08:00:00+08:00`). */
export type PriceCondition = { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string };

export interface ConditionalPrice {
  constraint?: PriceCondition;
  prices: ModelPrice;
}

export interface CatalogModel {
  id: string;
  name?: string;
  match: MatchLogic;
  /** One price, or dated / time-of-day versions (the last whose condition holds wins). */
  prices: ModelPrice | ConditionalPrice[];
  deprecated?: boolean;
  /**
   * Most tokens of one call, prompt and output together (the catalog's `context_window`; for a
   * few models the input limit alone): what a call that sets no output limit is held at by
   * budget reservations until the key's output history knows better (budget/gate.ts). A
   * positive integer; absent when unknown.
   */
  context_window?: number;
}

export interface CatalogProvider {
  id: string;
  name?: string;
  /** Claims model names when no provider is given (custom providers). */
  model_match?: MatchLogic;
  /** Claims provider names other than `id`. */
  provider_match?: MatchLogic;
  /** Providers whose models this one also serves at their prices (e.g. Azure → OpenAI). */
  fallback_model_providers?: string[];
  models: CatalogModel[];
}

/** Catalog data that does not have the published shape; `path` names the bad field. */
export class CatalogDataError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'CatalogDataError';
  }
}

const MATCH_KEYS = ['equals', 'starts_with', 'ends_with', 'contains', 'regex'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new CatalogDataError(path, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function matchLogic(v: unknown, path: string): MatchLogic {
  if (!isRecord(v)) throw new CatalogDataError(path, 'expected a match clause object');
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new CatalogDataError(path, `expected exactly one clause, got ${JSON.stringify(keys)}`);
  const key = keys[0]!;
  if (key === 'and' || key === 'or') {
    const list = v[key];
    if (!Array.isArray(list)) throw new CatalogDataError(`${path}.${key}`, 'expected a list of clauses');
    const clauses = list.map((c, i) => matchLogic(c, `${path}.${key}[${i}]`));
    return key === 'and' ? { and: clauses } : { or: clauses };
  }
  if (!(MATCH_KEYS as readonly string[]).includes(key)) throw new CatalogDataError(path, `unknown match clause '${key}'`);
  const text = v[key];
  if (typeof text !== 'string') throw new CatalogDataError(`${path}.${key}`, 'expected a string');
  if (key === 'regex') {
    try {
      new RegExp(text);
    } catch (e) {
      throw new CatalogDataError(`${path}.regex`, `invalid regular expression: ${(e as Error).message}`);
    }
  }
  return { [key]: text } as MatchLogic;
}

function nonNegative(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new CatalogDataError(path, `expected a finite non-negative number, got ${JSON.stringify(v)}`);
  return v;
}

function priceValue(v: unknown, path: string): number | TieredPrice {
  if (typeof v === 'number') return nonNegative(v, path);
  if (!isRecord(v) || !Array.isArray(v.tiers)) throw new CatalogDataError(path, 'expected a number or {base, tiers}');
  const tiers = v.tiers.map((t: unknown, i) => {
    if (!isRecord(t)) throw new CatalogDataError(`${path}.tiers[${i}]`, 'expected {start, price}');
    if (typeof t.start !== 'number' || !Number.isSafeInteger(t.start) || t.start < 0) throw new CatalogDataError(`${path}.tiers[${i}].start`, 'expected a non-negative integer');
    return { start: t.start, price: nonNegative(t.price, `${path}.tiers[${i}].price`) };
  });
  return { base: nonNegative(v.base, `${path}.base`), tiers };
}

function modelPrice(v: unknown, path: string): ModelPrice {
  if (!isRecord(v)) throw new CatalogDataError(path, 'expected an object of prices');
  const out: ModelPrice = {};
  for (const [key, value] of Object.entries(v)) if (value !== undefined) out[key] = priceValue(value, `${path}.${key}`);
  return out;
}

function validTime(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = TIME.exec(text);
  return m !== null && Number(m[1]) <= 23 && Number(m[2]) <= 59 && Number(m[3]) <= 59 && Number(m[4] ?? 0) <= 23 && Number(m[5] ?? 0) <= 59;
}

function validDate(text: unknown): text is string {
  return typeof text === 'string' && DATE.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/**
 * A price condition, in either form the catalog uses: with `type` (the library's bundled
 * data) or without it (the published JSON: `{start_date}` / `{start_time, end_time}`).
 * Other keys are refused, as the library refuses them.
 */
function condition(v: unknown, path: string): PriceCondition {
  if (!isRecord(v)) throw new CatalogDataError(path, 'expected a constraint object');
  const keys = Object.keys(v).filter((k) => k !== 'type').sort().join(',');
  const type = v.type;
  if (keys === 'start_date' && (type === undefined || type === 'start_date') && validDate(v.start_date)) return { type: 'start_date', start_date: v.start_date };
  if (keys === 'end_time,start_time' && (type === undefined || type === 'time_of_date') && validTime(v.start_time) && validTime(v.end_time)) {
    return { type: 'time_of_date', start_time: v.start_time, end_time: v.end_time };
  }
  throw new CatalogDataError(path, `expected {start_date: YYYY-MM-DD} or {start_time, end_time}, got ${JSON.stringify(v)}`);
}

function prices(v: unknown, path: string): ModelPrice | ConditionalPrice[] {
  if (!Array.isArray(v)) return modelPrice(v, path);
  if (v.length === 0) throw new CatalogDataError(path, 'empty price list');
  return v.map((c: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(c)) throw new CatalogDataError(at, 'expected {constraint?, prices}');
    const p = modelPrice(c.prices, `${at}.prices`);
    return c.constraint === undefined || c.constraint === null ? { prices: p } : { constraint: condition(c.constraint, `${at}.constraint`), prices: p };
  });
}

function model(v: unknown, path: string): CatalogModel {
  if (!isRecord(v)) throw new CatalogDataError(path, 'expected a model object');
  if (v.deprecated !== undefined && typeof v.deprecated !== 'boolean') throw new CatalogDataError(`${path}.deprecated`, 'expected true or false');
  return {
    id: str(v.id, `${path}.id`),
    ...(v.name !== undefined && { name: str(v.name, `${path}.name`) }),
    match: matchLogic(v.match, `${path}.match`),
    prices: prices(v.prices, `${path}.prices`),
    ...(v.deprecated !== undefined && { deprecated: v.deprecated }),
    // Only a bound on a reservation: a value that is not a positive whole number is left out, not an error.
    ...(Number.isSafeInteger(v.context_window) && (v.context_window as number) > 0 && { context_window: v.context_window as number }),
  };
}

function idList(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new CatalogDataError(path, 'expected a list of provider ids');
  return v.map((p, i) => str(p, `${path}[${i}]`));
}

function provider(v: unknown, path: string): CatalogProvider {
  if (!isRecord(v)) throw new CatalogDataError(path, 'expected a provider object');
  if (!Array.isArray(v.models)) throw new CatalogDataError(`${path}.models`, 'expected a list of models');
  return {
    id: str(v.id, `${path}.id`),
    ...(v.name !== undefined && { name: str(v.name, `${path}.name`) }),
    ...(v.model_match !== undefined && { model_match: matchLogic(v.model_match, `${path}.model_match`) }),
    ...(v.provider_match !== undefined && { provider_match: matchLogic(v.provider_match, `${path}.provider_match`) }),
    ...(v.fallback_model_providers !== undefined && { fallback_model_providers: idList(v.fallback_model_providers, `${path}.fallback_model_providers`) }),
    models: v.models.map((m, i) => model(m, `${path}.models[${i}]`)),
  };
}

/**
 * Validates catalog data in the published format and keeps only what pricing uses (ids,
 * names, match rules, fallbacks, prices, deprecation); descriptions, extractors and URLs
 * are dropped. Conditions are normalised to their typed form. Throws CatalogDataError
 * naming the first bad field; duplicate provider ids are refused too.
 */
export function compactCatalog(data: unknown): CatalogProvider[] {
  if (!Array.isArray(data)) throw new CatalogDataError('$', 'expected a list of providers');
  const out = data.map((p, i) => provider(p, `$[${i}]`));
  const seen = new Set<string>();
  for (const [i, p] of out.entries()) {
    if (seen.has(p.id)) throw new CatalogDataError(`$[${i}].id`, `duplicate provider id '${p.id}'`);
    seen.add(p.id);
  }
  return out;
}

/** A provider with its models kept as JSON text (`JSON.stringify` of CatalogModel[]). */
export type PackedProvider = Omit<CatalogProvider, 'models'> & { models: string };

/** Each provider's models as JSON text: what the pinned table stores, and snapshots keep in memory. */
export function packCatalog(data: readonly CatalogProvider[]): PackedProvider[] {
  return data.map((p) => ({ ...p, models: latin1Json(p.models) }));
}

/**
 * JSON.stringify with every character above U+00FF written as a `\uXXXX` escape, so the
 * text holds only Latin-1. JavaScriptCore and V8 keep such a string at one byte per
 * character, and any other at two: one emoji in a model name (`Dolphin … 🐬`) doubled the
 * pinned table's string to 715 KB, held for the process's life. JSON.parse gives the same
 * value back.
 */
export function latin1Json(value: unknown): string {
  return JSON.stringify(value).replace(/[^\u0000-\u00ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Catalog data whose `models` are parsed per provider on first read, so a process holds
 * objects only for the providers it prices (a fully parsed catalog costs a few MB). The
 * text must come from `packCatalog` (already validated).
 */
export function unpackCatalog(packed: readonly PackedProvider[]): CatalogProvider[] {
  return packed.map(({ models: text, ...header }) => {
    let models: CatalogModel[] | undefined;
    const p = { ...header } as CatalogProvider;
    Object.defineProperty(p, 'models', { enumerable: true, get: () => (models ??= JSON.parse(text) as CatalogModel[]) });
    return p;
  });
}
