import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from './dataset.js';
import { cliIn, matrixRow, tableRow } from './report-cli.js';

/**
 * A group whose calls have no cost is not a $0 group (README: "unpriced, not $0"): its
 * spend, average and share are unknown (`—` in the table, null in JSON and CSV). A group
 * with some calls without a cost keeps the sum of the priced ones, marked; so does the
 * total, whose footer says what it leaves out.
 *
 * The data: feature=chat has 2 gpt-4o calls at 3,000,000 nano-USD ($0.003) each and one
 * unpriced gpt-9-turbo call; feature=search has 2 unpriced gpt-9-turbo calls; feature=upload
 * one gpt-4o call whose usage is unknown (no cost either). In October (the previous period
 * of November) search had one priced gpt-9-turbo call at 5,000,000 nano-USD.
 */

let dir: string;
let dbPath: string;
const AT = '2026-11-10T12:00:00Z';
const range = ['--since', '2026-11-01', '--until', '2026-11-30'];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-rows-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls([
    record({ at: AT, model: 'gpt-4o', cost: 3_000_000, tags: { feature: 'chat' } }),
    record({ at: AT, model: 'gpt-4o', cost: 3_000_000, tags: { feature: 'chat' } }),
    record({ at: AT, model: 'gpt-9-turbo', cost: null, tags: { feature: 'chat' } }),
    record({ at: AT, model: 'gpt-9-turbo', cost: null, tags: { feature: 'search' } }),
    record({ at: AT, model: 'gpt-9-turbo', cost: null, tags: { feature: 'search' } }),
    record({ at: AT, model: 'gpt-4o', cost: null, usage: false, tags: { feature: 'upload' } }),
    record({ at: '2026-10-10T12:00:00Z', model: 'gpt-9-turbo', cost: 5_000_000, tags: { feature: 'search' } }),
  ]);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => cliIn(dir, [...args, ...range, '--db', dbPath]);

type JsonMetrics = Record<string, number | null>;
interface JsonReport {
  rows: Array<JsonMetrics & { group: Record<string, string> }>;
  total: JsonMetrics;
}

describe('report rows without a known cost', () => {
  it('table: a group of unpriced calls shows — for spend, share and average; a partly priced group and the total are marked', async () => {
    const { code, out } = await cli(['report', '--by', 'feature']);
    expect(code).toBe(0);
    // feature, spend, %, calls, avg/call, …
    expect(tableRow(out, 'search').slice(0, 5)).toEqual(['search', '—', '—', '2', '—']);
    expect(tableRow(out, 'upload').slice(0, 5)).toEqual(['upload', '—', '—', '1', '—']);
    // 2 × $0.003 priced, 1 unpriced call beside them: the priced sum, marked; avg over the 2 priced calls.
    expect(tableRow(out, 'chat').slice(0, 5)).toEqual(['chat', '$0.006*', '100.0%', '3', '$0.003']);
    expect(tableRow(out, 'total').slice(0, 5)).toEqual(['total', '$0.006*', '100.0%', '6', '$0.003']);
    expect(out).toContain('* 3 unpriced calls not included in spend: gpt-9-turbo on openai (3).');
    expect(out).toContain("* 1 call with unknown usage (the provider's answer could not be read): cost not included in spend. Usually a gateway or other upstream at the provider's base_url answered 200 with a body that is not the provider's JSON; --by provider,model tells whose calls they are.");
  });

  it('table by model: the unpriced model is —, not $0.00 and 0.0%', async () => {
    const { out } = await cli(['report', '--by', 'model']);
    expect(tableRow(out, 'gpt-9-turbo').slice(0, 5)).toEqual(['gpt-9-turbo', '—', '—', '3', '—']);
    // gpt-4o: 2 priced calls and 1 with unknown usage.
    expect(tableRow(out, 'gpt-4o').slice(0, 5)).toEqual(['gpt-4o', '$0.006*', '100.0%', '3', '$0.003']);
  });

  it('json: cost_usd, avg_cost_usd and share are null (keys kept) when no call of the group has a cost; the total keeps the priced sum', async () => {
    const { code, out } = await cli(['report', '--by', 'feature', '--format', 'json']);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as JsonReport;
    const row = (feature: string) => doc.rows.find((r) => r.group.feature === feature)!;
    expect(row('search')).toMatchObject({ cost_usd: null, avg_cost_usd: null, share: null, calls: 2, priced_calls: 0, unpriced_calls: 2 });
    expect(Object.keys(row('search'))).toContain('cost_usd');
    expect(row('upload')).toMatchObject({ cost_usd: null, avg_cost_usd: null, share: null, calls: 1, priced_calls: 0, unpriced_calls: 0 });
    expect(row('chat')).toMatchObject({ cost_usd: 0.006, avg_cost_usd: 0.003, share: 1, calls: 3, priced_calls: 2, unpriced_calls: 1 });
    expect(doc.total).toMatchObject({ cost_usd: 0.006, avg_cost_usd: 0.003, share: 1, calls: 6, priced_calls: 2, unpriced_calls: 3 });
  });

  it('csv: empty cost fields for the unpriced model, and the unpriced note on stderr', async () => {
    const { code, out, err } = await cli(['report', '--by', 'model', '--format', 'csv']);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    expect(lines[0]).toBe('model,cost_usd,calls,input_tokens,output_tokens,cached_input_tokens,avg_cost_usd,share,p50_latency_ms,priced_calls,unpriced_calls,row_kind');
    expect(lines).toContain('gpt-9-turbo,,3,300,30,0,,,100,0,3,group');
    expect(lines).toContain('(total),0.006,6,500,50,0,0.003,1,100,2,3,total');
    expect(err).toContain('note: 3 unpriced calls not included in spend: gpt-9-turbo on openai (3).');
    expect(err).toContain("note: 1 call with unknown usage (the provider's answer could not be read): cost not included in spend. Usually a gateway or other upstream at the provider's base_url answered 200 with a body that is not the provider's JSON; --by provider,model tells whose calls they are.");
  });

  it('compare: a group without a known cost now has no change, not -100% against its $0.005 before', async () => {
    const table = await cli(['report', '--by', 'feature', '--compare', 'previous']);
    // feature, spend, %, calls, avg, in, out, cached, p50, prev, change
    expect(tableRow(table.out, 'search')).toEqual(['search', '—', '—', '2', '—', '200', '20', '0', '100 ms', '$0.005', '—']);
    const doc = JSON.parse((await cli(['report', '--by', 'feature', '--compare', 'previous', '--format', 'json'])).out) as JsonReport;
    expect(doc.rows.find((r) => r.group.feature === 'search')).toMatchObject({ cost_usd: null, prev_cost_usd: 0.005, change: null });
    // The total is the sum of known costs: 6,000,000 now against 5,000,000 before, +20%.
    expect(doc.total).toMatchObject({ cost_usd: 0.006, prev_cost_usd: 0.005, change: 0.2 });
  });

  it('cross table: the total of a model none of whose calls has a cost is —, not $0.00', async () => {
    const { out } = await cli(['report', '--by', 'model,feature']);
    // The matrix, after the rows: columns chat ($0.006), then search and upload ($0 known, by name), total.
    expect(out).toMatch(/model \\ feature\s+chat\s+search\s+upload\s+total/);
    // gpt-9-turbo has unpriced calls in chat and search (—) and none in upload (blank).
    expect(matrixRow(out, 'gpt-9-turbo')).toEqual({ chat: '—', search: '—', upload: '', total: '—' });
    // gpt-4o's total leaves its upload call (usage unknown: —) out: marked, as its report row is.
    expect(matrixRow(out, 'gpt-4o')).toEqual({ chat: '$0.006', search: '', upload: '—', total: '$0.006*' });
  });
});
