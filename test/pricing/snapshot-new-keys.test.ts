import { describe, expect, it } from 'vitest';
import type { CatalogModel, CatalogProvider, ModelPrice } from '../../src/pricing/catalog-data.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { snapshotSource, type CatalogSnapshot } from '../../src/pricing/snapshot.js';
import { diffCatalogs } from '../../src/pricing/snapshot-diff.js';
import { NOW, usage } from './support.js';

/**
 * `prices update` refuses a token price that goes to zero or moves more
 * than 100× (docs/prices.md, "Checks"). A price key the model did not have before was never
 * checked (now it is, against the price it replaces), yet a new key takes its tokens away from the price that billed them until then:
 * `output_reasoning_mtok: 0` bills an o3 call's reasoning tokens (most of its output) at zero.
 */

const FETCHED = Date.parse('2026-12-02T10:00:00Z');
const SHA = 'cd34ab12'.padEnd(64, '0');

/** The pinned data with `extra` added to every price version of openai/o3. */
function withO3Prices(extra: ModelPrice): CatalogProvider[] {
  const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
  const o3 = data.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'o3') as CatalogModel;
  if (Array.isArray(o3.prices)) for (const v of o3.prices) Object.assign(v.prices, extra);
  else Object.assign(o3.prices, extra);
  return data;
}

describe('prices update checks a price key the model did not have', () => {
  it('refuses a new reasoning price of zero for a model whose reasoning was billed as output', () => {
    const next = withO3Prices({ output_reasoning_mtok: 0 });
    const diff = diffCatalogs(pinnedCatalog(), pinnedCatalog(), next);
    // The snapshot changes what o3's reasoning tokens cost from $8/1M (output) to $0:
    const u = usage({ inputTokens: 1000, outputTokens: 10_000, reasoningTokens: 9_000 });
    const before = createPricer().price(u, { provider: 'openai', model: 'o3', at: NOW });
    const snap: CatalogSnapshot = { id: 1, source: snapshotSource(FETCHED, SHA), fetchedAt: FETCHED, sha256: SHA, data: next };
    const after = createPricer({}, { snapshot: snap }).price(u, { provider: 'openai', model: 'o3', at: NOW });
    expect(before.priced && after.priced && [before.costNano, after.costNano]).toEqual([82_000_000, 10_000_000]);
    // ...yet prices update would store it without --force:
    expect(diff.problems).not.toEqual([]);
  });

  it('refuses a new cached-input price 1000x below the input price that billed cached tokens until then', () => {
    const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
    const p = data.find((x) => x.id === 'openai')!;
    // A pinned OpenAI model with no cache_read_mtok: its cached tokens are billed at the input price.
    const m = p.models.find((x) => !Array.isArray(x.prices) && (x.prices as ModelPrice).input_mtok !== undefined && (x.prices as ModelPrice).cache_read_mtok === undefined && typeof (x.prices as ModelPrice).input_mtok === 'number' && ((x.prices as ModelPrice).input_mtok as number) > 0)!;
    expect(m).toBeDefined();
    const input = (m.prices as ModelPrice).input_mtok as number;
    (m.prices as ModelPrice).cache_read_mtok = input / 1000;
    expect(diffCatalogs(pinnedCatalog(), pinnedCatalog(), data).problems).not.toEqual([]);
  });
});
