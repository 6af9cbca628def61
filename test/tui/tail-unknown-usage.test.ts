import { afterAll, describe, expect, it } from 'vitest';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { initialState, queryOf } from '../../src/tui/state.js';
import { tailView } from '../../src/tui/view/feed-view.js';
import type { Line } from '../../src/tui/view/text.js';
import { NOW, readStore, seedDb } from './fixtures.js';

/**
 * The live tail shows a call without a cost as "unpriced": true for a model without a
 * price, whose fix is a `prices:` entry. A served call whose answer could not be read
 * (usage_source `unknown`) has no cost either, but a price would not change that: calling
 * it unpriced sends the operator after the wrong fix.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const db = seedDb([
  { at: NOW - 2 * 60_000, model: 'mystery-model', cost: null, tags: { feature: 'a' } },
  { at: NOW - 60_000, model: 'gpt-4o-mini', cost: null, usage: false, tags: { feature: 'b' } },
]);
afterAll(() => db.close());

describe('live tail', () => {
  it('tells an unpriced call from one whose usage is unknown', async () => {
    const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    try {
      const snap = await source.load(queryOf(initialState()));
      const rows = tailView(snap.tail, { rows: 5, width: 120, timeZone: 'UTC', now: NOW, note: null }).rows.map(text);
      expect(rows.find((r) => r.includes('mystery-model'))).toMatch(/unpriced/);
      expect(rows.find((r) => r.includes('gpt-4o-mini'))).not.toMatch(/unpriced/);
    } finally {
      source.close();
    }
  });
});
