import { describe, expect, it } from 'vitest';
import { snapshotFromText } from '../../src/cli/catalog-source.js';
import { repricer } from '../../src/cli/prices-reprice.js';
import { retroactiveCounter, retroactiveWarning } from '../../src/cli/reprice-retroactive.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { Usage } from '../../src/providers/types.js';
import type { RepriceCall } from '../../src/store/price-records.js';

/**
 * `prices reprice` with a snapshot whose undated price differs from the one calls were
 * priced at applies it to calls made before the snapshot was stored too (the pricer applies
 * the newest snapshot to every time): it warns, naming how many calls and the snapshot,
 * and how to keep them (--since after the snapshot).
 */

const STORED_AT = Date.parse('2026-12-07T22:10:00Z');
const HOUR = 3_600_000;

/** The pinned catalog with gpt-4o-mini's input at $0.20 (was $0.15), undated. */
function snapshot() {
  const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
  data.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-4o-mini')!.prices = { input_mtok: 0.2, cache_read_mtok: 0.075, output_mtok: 0.6 };
  return snapshotFromText(JSON.stringify(data), STORED_AT, 'cd'.repeat(32), 1);
}

/** A gpt-4o-mini call at `ts` of 1M input tokens, stored at the pinned catalog's $0.15. */
function call(id: number, ts: number, model = 'gpt-4o-mini'): RepriceCall {
  const usage: Usage = { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 };
  return { id, ts, keyName: null, provider: 'openai', endpoint: 'chat.completions', model, usage, usageSource: 'reported', costNano: 150_000_000, priceSource: 'genai-prices@0.1.8', tags: {}, error: null };
}

describe('prices reprice: calls moved to a price stored after they were made', () => {
  it('counts the calls made before the snapshot whose cost it changes, not those after it or unchanged', () => {
    const snap = snapshot();
    const counter = retroactiveCounter(repricer(createPricer({}, { snapshot: snap })), snap, repricer(createPricer()));
    for (let i = 0; i < 10; i++) expect(counter.price(call(i, STORED_AT - HOUR + i))?.costNano).toBe(200_000_000);
    counter.price(call(20, STORED_AT + HOUR)); // after the snapshot: its price applies by right
    counter.price(call(21, STORED_AT - HOUR, 'gpt-4o')); // its cost changes (stored at gpt-4o-mini's), but not by the snapshot: gpt-4o's price is the same in it
    expect(counter.count()).toBe(10);
    // Made before the snapshot yet stored at its price already (a serve polled it in first): the reprice moves nothing.
    counter.price({ ...call(22, STORED_AT - HOUR), costNano: 200_000_000 });
    expect(counter.count()).toBe(10);
  });

  it('warns with the count, the snapshot and the --since that keeps them', () => {
    const snap = snapshot();
    expect(retroactiveWarning(10, snap, true)).toBe(
      `warning: 10 calls made before snapshot #1 (${snap.source}) was stored at 2026-12-07T22:10:00.000Z would move to its prices: ` +
        'a snapshot applies to every time, also before it was stored. To keep their cost, reprice from after it: --since 2026-12-07T22:10:00.000Z.\n',
    );
    expect(retroactiveWarning(1, snap, false)).toMatch(/^warning: 1 call made before snapshot #1 .* moved to its prices: /);
    expect(retroactiveWarning(0, snap, true)).toBe('');
  });
});
