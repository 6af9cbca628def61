import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from './dataset.js';
import { cliIn, tableRow } from './report-cli.js';

/**
 * A total none of whose calls has a cost is unknown, like any group (README: "unpriced,
 * not $0"): `—` in the table and the matrix, null in JSON, empty in CSV. A total with some
 * priced calls stays their sum, marked `*`.
 *
 * Tenant t09, November 2026, every call on gpt-9-turbo (no price, cost NULL):
 *   chat × u1, chat × u2, search × u1: 1 call each → 3 calls, 0 priced.
 * Tenant t10: chat × u1 on gpt-4o at $0.003 and one unpriced call → $0.003* (1 of 2 priced).
 * October (the previous period): t09 had one priced gpt-4o call at $0.005.
 */

let dir: string;
let dbPath: string;
const AT = '2026-11-10T12:00:00Z';
const range = ['--since', '2026-11-01', '--until', '2026-11-30'];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-totals-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  const unpriced = (feature: string, user: string, tenant: string) => record({ at: AT, model: 'gpt-9-turbo', cost: null, tags: { feature, user_id: user, tenant_id: tenant } });
  store.insertCalls([
    unpriced('chat', 'u1', 't09'),
    unpriced('chat', 'u2', 't09'),
    unpriced('search', 'u1', 't09'),
    record({ at: AT, model: 'gpt-4o', cost: 3_000_000, tags: { feature: 'chat', user_id: 'u1', tenant_id: 't10' } }),
    unpriced('chat', 'u1', 't10'),
    record({ at: '2026-10-10T12:00:00Z', model: 'gpt-4o', cost: 5_000_000, tags: { feature: 'chat', user_id: 'u1', tenant_id: 't09' } }),
  ]);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => cliIn(dir, [...args, ...range, '--db', dbPath]);

describe('a total none of whose calls has a cost', () => {
  it('table: the total line is — for spend and share, not $0.00* 0.0%', async () => {
    const { code, out } = await cli(['report', '--by', 'feature,user_id', '--where', 'tenant_id=t09']);
    expect(code).toBe(0);
    // feature, user_id, spend, %, calls, avg/call: the total has no label in user_id's column.
    expect(tableRow(out, 'total').slice(0, 5)).toEqual(['total', '—', '—', '3', '—']);
    // No figure is marked `*` (none is a partial sum), so the footer has no `*` to answer.
    expect(out).toContain('\n3 unpriced calls not included in spend: gpt-9-turbo on openai (3).');
  });

  it('matrix: the grand total is —, as its column totals are', async () => {
    const { out } = await cli(['report', '--by', 'feature,user_id', '--where', 'tenant_id=t09']);
    expect(out).toMatch(/feature \\ user_id\s+u1\s+u2\s+total/);
    expect(tableRow(out, 'total', true)).toEqual(['total', '—', '—', '—']);
  });

  it('json: the total has cost_usd and share null (keys kept), not 0', async () => {
    const { out } = await cli(['report', '--by', 'feature,user_id', '--where', 'tenant_id=t09', '--format', 'json']);
    const doc = JSON.parse(out) as { total: Record<string, number | null> };
    expect(doc.total).toMatchObject({ cost_usd: null, share: null, avg_cost_usd: null, calls: 3, priced_calls: 0, unpriced_calls: 3 });
  });

  it('compare: the unknown total has no change, not -100% against its $0.005 before', async () => {
    const { out } = await cli(['report', '--by', 'feature', '--where', 'tenant_id=t09', '--compare', 'previous', '--format', 'json']);
    const doc = JSON.parse(out) as { total: Record<string, number | null> };
    expect(doc.total).toMatchObject({ cost_usd: null, prev_cost_usd: 0.005, change: null });
  });

  it('csv: the total line has empty cost_usd and share fields', async () => {
    const { out } = await cli(['report', '--by', 'feature', '--where', 'tenant_id=t09', '--format', 'csv']);
    // feature,cost_usd,calls,input_tokens,output_tokens,cached_input_tokens,avg_cost_usd,share,p50_latency_ms,priced_calls,unpriced_calls,row_kind
    expect(out.split('\r\n')).toContain('(total),,3,300,30,0,,,100,0,3,total');
  });

  it('unit economics json: the overall cost_usd is null with priced_calls 0', async () => {
    const { out } = await cli(['report', '--unit-economics', '--where', 'tenant_id=t09', '--format', 'json']);
    const doc = JSON.parse(out) as { unit_economics: Record<string, unknown> };
    expect(doc.unit_economics).toMatchObject({ calls: 3, priced_calls: 0, cost_usd: null });
  });

  it('a total with some priced calls stays their sum, marked: $0.003* of 2 calls', async () => {
    const { out } = await cli(['report', '--by', 'feature', '--where', 'tenant_id=t10']);
    expect(tableRow(out, 'total').slice(0, 5)).toEqual(['total', '$0.003*', '100.0%', '2', '$0.003']);
    const doc = JSON.parse((await cli(['report', '--by', 'feature', '--where', 'tenant_id=t10', '--format', 'json'])).out) as { total: Record<string, number | null> };
    expect(doc.total).toMatchObject({ cost_usd: 0.003, share: 1, priced_calls: 1, unpriced_calls: 1 });
  });
});
