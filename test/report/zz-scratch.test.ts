import { it, expect } from 'vitest';
import { createRawSource } from '../../src/report/raw-source.js';
import { createRollupSource } from '../../src/report/rollup-source.js';
import { readRollupState, rollupTagKey } from '../../src/report/rollup-state.js';
import { buildDb } from './dataset.js';
it('kolkata', () => {
  const db = buildDb([{ at: '2026-10-05T18:45:00Z' }, { at: '2026-10-05T18:15:00Z' }]);
  const state = readRollupState(db.driver)!;
  const r = createRollupSource(db.driver, state, createRawSource(db.driver), (s) => rollupTagKey(s, state) ?? null);
  const spec = { since: Date.parse('2026-10-01T00:00:00Z'), until: Date.parse('2026-10-10T00:00:00Z'), by: ['day'], where: [], timeZone: 'Asia/Kolkata' };
  console.log(JSON.stringify(r.groups(spec)), JSON.stringify(createRawSource(db.driver).groups(spec)));
});
