import { describe, expect, it } from 'vitest';
import { CatalogDataError, compactCatalog, type CatalogProvider } from '../../src/pricing/catalog-data.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { parseCatalogJson, snapshotSource, type CatalogSnapshot } from '../../src/pricing/snapshot.js';
import { thrownBy } from '../config/thrown.js';
import { NOW, usage } from './support.js';

/** Prices from a stored snapshot: order config > overrides > snapshot > pinned catalog, source names, swaps. */

const FETCHED = Date.parse('2026-12-02T10:00:00Z');
const SHA = 'ab12cd34'.padEnd(64, '0');

/** The pinned data with gpt-4o at $5 / $20, a new model, and claude-3-haiku removed. */
function snapshotData(): CatalogProvider[] {
  const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
  const openai = data.find((p) => p.id === 'openai')!;
  const gpt4o = openai.models.find((m) => m.id === 'gpt-4o')!;
  gpt4o.prices = { input_mtok: 5, output_mtok: 20 };
  openai.models.unshift({ id: 'gpt-new', match: { starts_with: 'gpt-new' }, prices: { input_mtok: 1, output_mtok: 2 } });
  const anthropic = data.find((p) => p.id === 'anthropic')!;
  anthropic.models = anthropic.models.filter((m) => m.id !== 'claude-3-haiku');
  return data;
}

const snapshot = (data = snapshotData()): CatalogSnapshot => ({ id: 7, source: snapshotSource(FETCHED, SHA), fetchedAt: FETCHED, sha256: SHA, data });
const u = usage({ inputTokens: 1000, outputTokens: 100 });

describe('pricing from a stored snapshot', () => {
  it('names the snapshot by fetch date and digest', () => {
    expect(snapshotSource(FETCHED, SHA)).toBe('snapshot:2026-12-02:ab12cd34');
  });

  it('the snapshot prices what it has (dated snapshots resolve to their family); the pinned catalog the rest', () => {
    const pricer = createPricer({}, { snapshot: snapshot() });
    expect(pricer.price(u, { provider: 'openai', model: 'gpt-4o-2024-08-06', at: NOW })).toMatchObject({ costNano: 1000 * 5000 + 100 * 20_000, source: 'snapshot:2026-12-02:ab12cd34', modelId: 'gpt-4o' });
    expect(pricer.price(u, { provider: 'openai', model: 'gpt-new-2026-12-01', at: NOW })).toMatchObject({ costNano: 1000 * 1000 + 100 * 2000, modelId: 'gpt-new' });
    // Removed from the snapshot: still priced by the pinned catalog.
    expect(pricer.price(u, { provider: 'anthropic', model: 'claude-3-haiku-20240307', at: NOW })).toMatchObject({ costNano: 1000 * 250 + 100 * 1250, source: 'genai-prices@0.1.8' });
  });

  it('config prices and tokometer overrides still win over the snapshot', () => {
    const data = snapshotData();
    const anthropic = data.find((p) => p.id === 'anthropic')!;
    anthropic.models.find((m) => m.id === 'claude-sonnet-4-0')!.prices = { input_mtok: 99, output_mtok: 99 };
    const pricer = createPricer({ 'gpt-4o': { input: 1, output: 1 } }, { snapshot: snapshot(data) });
    expect(pricer.price(u, { provider: 'openai', model: 'gpt-4o', at: NOW })).toMatchObject({ source: 'config', costNano: 1_100_000 });
    expect(pricer.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at: NOW })).toMatchObject({ source: 'override', costNano: 1000 * 3000 + 100 * 15_000 });
  });

  it('useSnapshot swaps the prices for the next call (cached resolutions dropped) and back', () => {
    const pricer = createPricer();
    const ctx = { provider: 'openai', model: 'gpt-4o', at: NOW };
    expect(pricer.price(u, ctx)).toMatchObject({ costNano: 1000 * 2500 + 100 * 10_000, source: 'genai-prices@0.1.8' });
    pricer.useSnapshot(snapshot());
    expect(pricer.snapshot?.id).toBe(7);
    expect(pricer.price(u, ctx)).toMatchObject({ costNano: 1000 * 5000 + 100 * 20_000 });
    pricer.useSnapshot(null);
    expect(pricer.price(u, ctx)).toMatchObject({ source: 'genai-prices@0.1.8' });
  });

  it('describe says which source and since when; list shows snapshot models once', () => {
    const pricer = createPricer({}, { snapshot: snapshot() });
    expect(pricer.describe('gpt-4o', 'openai', NOW)).toMatchObject({ source: 'snapshot:2026-12-02:ab12cd34', sourceSince: FETCHED });
    expect(pricer.describe('o3', 'openai', NOW)).toMatchObject({ effectiveFrom: Date.parse('2025-06-10T00:00:00Z') });
    const list = pricer.list('anthropic', NOW);
    expect(list.filter((d) => d.modelId === 'claude-3-haiku').map((d) => d.source)).toEqual(['genai-prices@0.1.8']);
    expect(list.filter((d) => d.modelId === 'claude-opus-4-1').map((d) => d.source)).toEqual(['snapshot:2026-12-02:ab12cd34']);
  });
});

describe('catalog data in the published format', () => {
  it('normalises untyped constraints as the library does, and keeps only what pricing uses', () => {
    const data = parseCatalogJson(
      JSON.stringify([
        {
          id: 'x',
          name: 'X',
          api_pattern: 'https://x',
          extractors: [{ root: 'usage', mappings: [] }],
          models: [
            { id: 'm', description: 'a model', match: { equals: 'm' }, prices: [{ prices: { input_mtok: 1 } }, { constraint: { start_date: '2026-01-01' }, prices: { input_mtok: 2 } }, { constraint: { start_time: '00:00:00Z', end_time: '08:00:00+08:00' }, prices: { input_mtok: 3 } }] },
          ],
        },
      ]),
    );
    expect(data).toEqual([
      {
        id: 'x',
        name: 'X',
        models: [
          {
            id: 'm',
            match: { equals: 'm' },
            prices: [
              { prices: { input_mtok: 1 } },
              { constraint: { type: 'start_date', start_date: '2026-01-01' }, prices: { input_mtok: 2 } },
              { constraint: { type: 'time_of_date', start_time: '00:00:00Z', end_time: '08:00:00+08:00' }, prices: { input_mtok: 3 } },
            ],
          },
        ],
      },
    ]);
  });

  it('names the first bad field', () => {
    const bad = (data: unknown) => thrownBy(() => compactCatalog(data), CatalogDataError).message;
    const model = (m: object) => [{ id: 'p', models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: 1 }, ...m }] }];
    expect(bad({})).toBe('$: expected a list of providers');
    expect(bad([{ id: 'p' }])).toBe('$[0].models: expected a list of models');
    expect(bad(model({ prices: { input_mtok: -1 } }))).toBe('$[0].models[0].prices.input_mtok: expected a finite non-negative number, got -1');
    expect(bad(model({ prices: { input_mtok: { base: 1, tiers: [{ start: 1.5, price: 2 }] } } }))).toBe('$[0].models[0].prices.input_mtok.tiers[0].start: expected a non-negative integer');
    expect(bad(model({ match: { regex: '(' } }))).toMatch(/^\$\[0\]\.models\[0\]\.match\.regex: invalid regular expression/);
    expect(bad(model({ match: { fuzzy: 'm' } }))).toBe("$[0].models[0].match: unknown match clause 'fuzzy'");
    expect(bad(model({ prices: [{ constraint: { start_date: '2026-02-30' }, prices: {} }] }))).toMatch(/^\$\[0\]\.models\[0\]\.prices\[0\]\.constraint: expected \{start_date/);
    expect(bad(model({ prices: [] }))).toBe('$[0].models[0].prices: empty price list');
    expect(bad([...model({}), ...model({})])).toBe("$[1].id: duplicate provider id 'p'");
    expect(() => parseCatalogJson('{nope')).toThrow(/^not JSON/);
    expect(() => parseCatalogJson('{}')).toThrow('not catalog data in the published format: $: expected a list of providers');
  });
});
