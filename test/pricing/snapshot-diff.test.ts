import { describe, expect, it } from 'vitest';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { diffCatalogs } from '../../src/pricing/snapshot-diff.js';

/** What `prices update` prints and refuses. */

const pinned: CatalogProvider[] = [
  {
    id: 'p',
    models: [
      { id: 'a', match: { equals: 'a' }, prices: { input_mtok: 1, output_mtok: 4, cache_read_mtok: 0.1 } },
      { id: 'b', match: { equals: 'b' }, prices: [{ prices: { input_mtok: { base: 2, tiers: [{ start: 200_000, price: 4 }] }, output_mtok: 8 } }, { constraint: { type: 'start_date', start_date: '2026-06-01' }, prices: { input_mtok: 1, output_mtok: 8 } }] },
    ],
  },
];
const clone = (): CatalogProvider[] => structuredClone(pinned);

describe('catalog snapshot diff', () => {
  it('lists models added and removed and each changed price with the date it applies from', () => {
    const next = clone();
    const [a, b] = next[0]!.models;
    a!.prices = { input_mtok: 1.5, output_mtok: 4 };
    b!.prices = [...(b!.prices as []), { constraint: { type: 'start_date', start_date: '2026-12-15' }, prices: { input_mtok: 0.5, output_mtok: 8 } }];
    next[0]!.models.push({ id: 'c', match: { equals: 'c' }, prices: { input_mtok: 0, output_mtok: 0 } });
    const base = clone();
    base[0]!.models.push({ id: 'gone', match: { equals: 'gone' }, prices: { input_mtok: 1 } });
    const diff = diffCatalogs(pinned, base, next);
    expect(diff.added).toEqual([{ provider: 'p', model: 'c' }]);
    expect(diff.removed).toEqual([{ provider: 'p', model: 'gone' }]);
    expect(diff.changed).toEqual([
      { provider: 'p', model: 'a', key: 'input_mtok', old: '1', new: '1.5', from: null },
      { provider: 'p', model: 'a', key: 'cache_read_mtok', old: '0.1', new: null, from: null },
      { provider: 'p', model: 'b', key: 'input_mtok', old: '1', new: '0.5', from: '2026-12-15' },
    ]);
    // A free new model and a dropped cache price (billed as input) are fine; a removed model that is not pinned too.
    expect(diff.problems).toEqual([]);
  });

  it('refuses missing pinned providers or models, prices to zero, removed base prices and moves over 100x', () => {
    const next = clone();
    next[0]!.models[0]!.prices = { input_mtok: 0, output_mtok: 401 };
    next[0]!.models[1]!.prices = [{ prices: { input_mtok: { base: 2, tiers: [{ start: 200_000, price: 0 }] } } }];
    // b's tier above 200k goes to 0; its dated 2026-06-01 price is gone, so the undated one (tier 0) applies then too.
    expect(diffCatalogs(pinned, pinned, next).problems).toEqual([
      'p/a input_mtok: token price goes to zero',
      'p/a output_mtok: token price moves more than 100× (4 → 401)',
      'p/b input_mtok: token price goes to zero',
      'p/b output_mtok: token price removed (billed at zero)',
      'p/b input_mtok from 2026-06-01: token price goes to zero',
      'p/b output_mtok from 2026-06-01: token price removed (billed at zero)',
    ]);
    const down = clone();
    down[0]!.models[0]!.prices = { input_mtok: 0.009, output_mtok: 4, cache_read_mtok: 0.1 };
    expect(diffCatalogs(pinned, pinned, down).problems).toEqual(['p/a input_mtok: token price moves more than 100× (1 → 0.009)']);
    expect(diffCatalogs(pinned, pinned, [{ id: 'p', models: [pinned[0]!.models[0]!] }]).problems).toEqual(['1 of the 2 models of the pinned catalog are missing', "1 of 2 models of 'p' are missing (b)"]);
    expect(diffCatalogs(pinned, pinned, [{ id: 'q', models: [] }]).problems).toEqual(['2 of the 2 models of the pinned catalog are missing', "provider 'p' of the pinned catalog is missing"]);
  });
});
