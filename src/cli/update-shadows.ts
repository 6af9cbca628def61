import { CATALOG_PROVIDER_IDS } from '../pricing/catalog.js';
import type { Pricer } from '../pricing/pricer.js';
import type { CatalogDiff } from '../pricing/snapshot-diff.js';
import type { PriceDescription, RateSet } from '../pricing/types.js';

/**
 * Which prices a new catalog snapshot changes without applying them: tokometer's overrides
 * (pricing/overrides.ts) and the config's `prices:` entries win over every snapshot
 * (docs/prices.md, "Overrides and snapshots"), so `prices update` says so rather than
 * showing a change that no call will be priced at.
 */

/** What shadows one changed model's new snapshot prices, and the prices in force. */
export interface Shadow {
  /** Who wins over the snapshot for this model. */
  by: 'override' | 'config';
  /** Catalog keys of the model the snapshot still prices (a config entry leaves them unset): not shadowed. */
  inherited: ReadonlySet<string>;
  /** Per catalog key, the price in force before the update, USD as `prices show` writes it; absent for keys tokometer does not show. */
  inForce: ReadonlyMap<string, string>;
}

/** Shadows by `provider/model` of the changes; a model absent is not shadowed. */
export type Shadows = ReadonlyMap<string, Shadow>;

/** Catalog price keys → the RateSet field that shows them (keys not here: the model's source alone decides). */
const KEY_FIELDS: Readonly<Record<string, keyof RateSet>> = {
  input_mtok: 'input',
  cache_read_mtok: 'cachedInput',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
  output_mtok: 'output',
  input_audio_mtok: 'inputAudio',
  output_audio_mtok: 'outputAudio',
  web_searches_kcount: 'webSearch',
  input_document_kpages: 'documentPage',
};

/** tokometer's provider name for a catalog provider id; undefined for providers tokometer does not list (no override or config entry can name them). */
function providerName(catalogId: string): string | undefined {
  return Object.keys(CATALOG_PROVIDER_IDS).find((name) => CATALOG_PROVIDER_IDS[name] === catalogId);
}

/** `$0.28`: USD with at least 2 decimals, as `prices show` writes prices. */
function usd(n: number): string {
  const [whole, frac = ''] = n.toFixed(6).replace(/0+$/, '').split('.');
  return `$${whole}.${frac.padEnd(2, '0')}`;
}

/**
 * The changed models of `diff` whose prices at `at` (ms) come, with the new snapshot in
 * force (`after`), from an override or a config entry rather than the snapshot; with the
 * prices `before` (the pricer before the update) applied.
 */
export function shadowsOf(diff: CatalogDiff, before: Pricer, after: Pricer, at: number): Shadows {
  const out = new Map<string, Shadow>();
  for (const c of diff.changed) {
    const id = `${c.provider}/${c.model}`;
    const name = providerName(c.provider);
    if (out.has(id) || name === undefined) continue;
    const now = after.describe(c.model, name, at);
    if (now === null || (now.source !== 'override' && now.source !== 'config')) continue;
    const inherited = new Set(Object.keys(KEY_FIELDS).filter((k) => now.inherited?.fields.includes(KEY_FIELDS[k]!) === true));
    out.set(id, { by: now.source, inherited, inForce: pricesInForce(before.describe(c.model, name, at)) });
  }
  return out;
}

function pricesInForce(d: PriceDescription | null): Map<string, string> {
  const out = new Map<string, string>();
  if (d === null) return out;
  for (const [key, field] of Object.entries(KEY_FIELDS)) {
    const v = d.rates[field];
    if (v !== null) out.set(key, usd(v));
  }
  return out;
}
