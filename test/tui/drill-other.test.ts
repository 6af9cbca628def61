import { afterAll, describe, expect, it } from 'vitest';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { initialState, queryOf, reduce, type KeyPress } from '../../src/tui/state.js';
import { viewFacts } from '../../src/tui/view/dashboard-view.js';
import { LIMITS } from '../../src/tui/types.js';
import { NOW, readStore, seedDb } from './fixtures.js';

/**
 * The spend table keeps the LIMITS.groups most expensive groups and sums the rest into
 * `(other)` (like `report --top`). Enter drills into the selected row by adding
 * `<dimension>=<value>`; on `(other)` that is `user_id=(other)`, a literal value no call
 * carries, so the drilled screen says "No calls in this period and scope." for a row that
 * holds money. Drilling must either show the row's calls or refuse, saying why.
 */
const HOUR = 3_600_000;
const users = LIMITS.groups + 5;
const db = seedDb(Array.from({ length: users }, (_, i) => ({ at: NOW - (i + 1) * HOUR, cost: (i + 1) * 1e6, tags: { feature: 'chat', user_id: `u${String(i).padStart(3, '0')}` } })));
afterAll(() => db.close());

const KEY: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false };

describe('drilling into (other)', () => {
  it('never lands on an empty scope for a row that holds money', async () => {
    const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
    try {
      let s = initialState({ dimension: 'user_id' });
      const snap = await source.load(queryOf(s));
      const rows = snap.table.rows;
      const other = rows.findIndex((r) => r.value === '(other)');
      expect(other).toBe(rows.length - 1);
      expect(rows[other]!.costNano).toBeGreaterThan(0);

      s = { ...s, selected: other };
      s = reduce(s, { type: 'key', input: '', key: { ...KEY, return: true }, facts: viewFacts(snap, s) });
      if (s.drill.length === 0) {
        expect(s.message).toMatch(/other/);
        return;
      }
      const drilled = await source.load(queryOf(s));
      expect(drilled.table.totalNano).toBe(rows[other]!.costNano);
    } finally {
      source.close();
    }
  });
});
