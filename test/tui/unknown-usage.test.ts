import { afterAll, describe, expect, it } from 'vitest';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { initialState, queryOf } from '../../src/tui/state.js';
import { buildView } from '../../src/tui/view/dashboard-view.js';
import type { Line } from '../../src/tui/view/text.js';
import { NOW, readStore, seedDb } from './fixtures.js';

/**
 * A served call whose answer could not be read (usage_source `unknown`) has no cost: the
 * provider billed it, tokometer does not know how much. The header's spend leaves it out
 * and, unlike an unpriced call ("N unpriced"), nothing on the screen says so.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const HOUR = 3_600_000;
const db = seedDb([
  { at: NOW - 2 * HOUR, model: 'gpt-4o-mini', cost: 8e6, tags: { feature: 'chat' } },
  { at: NOW - HOUR, model: 'gpt-4o-mini', cost: null, usage: false, tags: { feature: 'chat' } },
]);
afterAll(() => db.close());

describe('dashboard header with a call of unknown usage', () => {
  it('says that a call\'s cost is missing from the spend', async () => {
    const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    try {
      const state = initialState();
      const snap = await source.load(queryOf(state));
      expect(snap.header.calls).toBe(2);
      const v = buildView({ snapshot: snap, state, size: { columns: 120, rows: 30 }, sourceLabel: db.path, error: null });
      expect(text(v.figures)).toMatch(/\b1 (call )?(with )?(usage unknown|unknown usage)/);
    } finally {
      source.close();
    }
  });
});
