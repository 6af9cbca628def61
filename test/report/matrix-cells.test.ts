import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from './dataset.js';
import { cliIn, matrixRow } from './report-cli.js';

/**
 * The two-dimension matrix tells, in plain text, a cell without calls (blank) from a cell
 * whose calls have no cost (`—`, unknown, as everywhere in the report) and from calls that
 * cost $0 (`$0.00`); $0 calls beside unpriced ones are a partial sum, `$0.00*`.
 *
 * --by team,feature, November 2026:
 *   web × a: 1 gpt-4o call, $0.002        web × b: 1 unpriced call        → web $0.002* (1 of 2 priced)
 *   ml  × a: no call                      ml  × b: 1 call at $0 + 1 unpriced → ml $0.00*
 *   ops × a: 1 call at $0                 ops × b: no call                 → ops $0.00
 *   columns: a $0.002 (2 calls, both priced), b $0.00* (3 calls, 1 priced); total $0.002* (5, 3).
 */

let dir: string;
let dbPath: string;
const AT = '2026-11-10T12:00:00Z';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-matrix-cells-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  const call = (team: string, feature: string, cost: number | null) => record({ at: AT, model: cost === null ? 'gpt-9-turbo' : 'gpt-4o', cost, tags: { team, feature } });
  store.insertCalls([call('web', 'a', 2_000_000), call('web', 'b', null), call('ml', 'b', 0), call('ml', 'b', null), call('ops', 'a', 0)]);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('matrix cells', () => {
  it('no call is blank, unknown cost —, calls of $0 $0.00, $0 beside unpriced calls $0.00*', async () => {
    const { code, out } = await cliIn(dir, ['report', '--by', 'team,feature', '--since', '2026-11-01', '--until', '2026-11-30', '--db', dbPath]);
    expect(code).toBe(0);
    expect(out).toMatch(/team \\ feature\s+a\s+b\s+total/);
    expect(matrixRow(out, 'web')).toEqual({ a: '$0.002', b: '—', total: '$0.002*' });
    expect(matrixRow(out, 'ml')).toEqual({ a: '', b: '$0.00*', total: '$0.00*' });
    expect(matrixRow(out, 'ops')).toEqual({ a: '$0.00', b: '', total: '$0.00' });
    expect(matrixRow(out, 'total')).toEqual({ a: '$0.002', b: '$0.00*', total: '$0.002*' });
  });
});
