import type { CatalogModel, CatalogProvider, ModelPrice, TieredPrice } from './catalog-data.js';

/**
 * What a new catalog snapshot changes against the data in force, and whether it may be
 * stored (issue #21): it must keep every provider and model of the pinned catalog, and no
 * token price may drop to zero or move by more than MAX_FACTOR (either way).
 */

/** A price may move at most this factor up or down without --force. */
export const MAX_FACTOR = 100;

/** One price key of one model that differs, from the date its version starts (null: no date). */
export interface PriceChange {
  provider: string;
  model: string;
  key: string;
  /** USD per the key's unit as written (`3`, `3 / >200000: 6`); null = absent. */
  old: string | null;
  new: string | null;
  /** `YYYY-MM-DD` (dated price), `HH:MM:SS–HH:MM:SS` (time of day) or null (undated). */
  from: string | null;
  /** Why this change needs --force, if it does. */
  problem?: string;
}

export interface CatalogDiff {
  added: Array<{ provider: string; model: string }>;
  removed: Array<{ provider: string; model: string }>;
  changed: PriceChange[];
  /** Reasons the snapshot is refused without --force (missing pinned providers/models, zero or 100× prices). */
  problems: string[];
}

interface Version {
  label: string | null;
  startMs: number | null;
  prices: ModelPrice;
}

function versions(m: CatalogModel): Version[] {
  if (!Array.isArray(m.prices)) return [{ label: null, startMs: null, prices: m.prices }];
  return m.prices.map((v) => {
    const c = v.constraint;
    if (!c) return { label: null, startMs: null, prices: v.prices };
    if (c.type === 'start_date') return { label: c.start_date, startMs: Date.parse(`${c.start_date}T00:00:00Z`), prices: v.prices };
    return { label: `${c.start_time}–${c.end_time}`, startMs: null, prices: v.prices };
  });
}

/** The version a model's data applies on `label`'s date (the undated one for undated labels). */
function versionAt(list: readonly Version[], label: string | null, startMs: number | null): Version | undefined {
  const same = list.find((v) => v.label === label);
  if (same || startMs === null) return same ?? list.find((v) => v.label === null);
  let best: Version | undefined;
  for (const v of list) if (v.label === null || (v.startMs !== null && v.startMs <= startMs)) best = v;
  return best;
}

function show(v: number | TieredPrice | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === 'number') return String(v);
  return [String(v.base), ...v.tiers.map((t) => `>${t.start}: ${t.price}`)].join(' / ');
}

/** [base, …tier prices] of a price, for the zero and factor checks. */
function amounts(v: number | TieredPrice | undefined): number[] {
  if (v === undefined) return [];
  return typeof v === 'number' ? [v] : [v.base, ...v.tiers.map((t) => t.price)];
}

/** Keys whose absence bills the tokens at zero (other keys fall back to input or output). */
const BASE_KEYS = new Set(['input_mtok', 'output_mtok']);

/**
 * The price that billed a token key's tokens before the model had that key (the catalog's
 * fallbacks: cache and audio input → input, output kinds → output, 1-hour cache writes →
 * cache writes): a new key takes its tokens away from it, so it is checked against it.
 */
function replacedPrice(key: string, prices: Readonly<Record<string, number | TieredPrice>>): number | TieredPrice | undefined {
  if (key === 'cache_write_1h_mtok') return prices.cache_write_mtok ?? prices.input_mtok;
  if (key.startsWith('cache_audio')) return prices.input_audio_mtok ?? prices.input_mtok;
  if (key.startsWith('output_') && key !== 'output_mtok') return prices.output_mtok;
  if ((key.startsWith('input_') && key !== 'input_mtok') || key.startsWith('cache_')) return prices.input_mtok;
  return undefined;
}

function tokenPriceProblem(key: string, before: number | TieredPrice | undefined, after: number | TieredPrice | undefined): string | undefined {
  if (!key.endsWith('_mtok') || before === undefined) return undefined;
  const [a, b] = [amounts(before), amounts(after)];
  if (after === undefined) return BASE_KEYS.has(key) && a.some((x) => x > 0) ? 'token price removed (billed at zero)' : undefined;
  if (b.some((x, i) => x === 0 && (a[i] ?? a[0]!) > 0)) return 'token price goes to zero';
  for (let i = 0; i < b.length; i++) {
    const [x, y] = [a[i] ?? a[0]!, b[i]!];
    if (x > 0 && (y / x > MAX_FACTOR || x / y > MAX_FACTOR)) return `token price moves more than ${MAX_FACTOR}× (${x} → ${y})`;
  }
  return undefined;
}

function modelChanges(provider: string, before: CatalogModel, after: CatalogModel): PriceChange[] {
  const [old, next] = [versions(before), versions(after)];
  const labels = new Map<string | null, number | null>();
  for (const v of [...old, ...next]) labels.set(v.label, v.startMs);
  const out: PriceChange[] = [];
  for (const [label, startMs] of labels) {
    const a = versionAt(old, label, startMs)?.prices ?? {};
    const b = versionAt(next, label, startMs)?.prices ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [x, y] = [show(a[key]), show(b[key])];
      if (x === y) continue;
      const change: PriceChange = { provider, model: after.id, key, old: x, new: y, from: label };
      const problem = tokenPriceProblem(key, a[key] ?? (key.endsWith('_mtok') ? replacedPrice(key, a) : undefined), b[key]);
      if (problem) change.problem = problem;
      out.push(change);
    }
  }
  return out;
}

const byId = (data: readonly CatalogProvider[]) => new Map(data.map((p) => [p.id, new Map(p.models.map((m) => [m.id, m]))]));

/**
 * Changes from `base` (the data in force) to `next`, and the problems that refuse `next`
 * without --force: providers or models of `pinned` it lacks, and token prices it sets to
 * zero or moves by more than MAX_FACTOR against `base`. New models may be free.
 */
export function diffCatalogs(pinned: readonly CatalogProvider[], base: readonly CatalogProvider[], next: readonly CatalogProvider[]): CatalogDiff {
  const [b, n] = [byId(base), byId(next)];
  const diff: CatalogDiff = { added: [], removed: [], changed: [], problems: [] };
  const lacking: string[] = [];
  let missingTotal = 0;
  for (const p of pinned) {
    const models = n.get(p.id);
    const missing = p.models.filter((m) => !models?.has(m.id)).map((m) => m.id);
    missingTotal += missing.length;
    if (!models) lacking.push(`provider '${p.id}' of the pinned catalog is missing`);
    else if (missing.length > 0) lacking.push(`${missing.length} of ${p.models.length} models of '${p.id}' are missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
  }
  if (missingTotal > 0) {
    const total = pinned.reduce((sum, p) => sum + p.models.length, 0);
    diff.problems.push(`${missingTotal} of the ${total} models of the pinned catalog are missing`, ...lacking);
  }
  for (const [provider, models] of n) {
    const before = b.get(provider);
    for (const [id, m] of models) {
      const old = before?.get(id);
      if (!old) {
        diff.added.push({ provider, model: id });
        continue;
      }
      for (const c of modelChanges(provider, old, m)) {
        diff.changed.push(c);
        if (c.problem) diff.problems.push(`${provider}/${id} ${c.key}${c.from ? ` from ${c.from}` : ''}: ${c.problem}`);
      }
    }
  }
  for (const [provider, models] of b) {
    for (const id of models.keys()) if (!n.get(provider)?.has(id)) diff.removed.push({ provider, model: id });
  }
  return diff;
}
