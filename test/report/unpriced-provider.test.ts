import { afterAll, describe, expect, it } from 'vitest';
import { reportToJson } from '../../src/report/format/json.js';
import { renderTable } from '../../src/report/format/table.js';
import { planQuery } from '../../src/report/plan.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { buildDb } from './dataset.js';

/**
 * The same model name on two providers: groq prices llama-3.3-70b-versatile, a configured
 * openai-compatible provider `acme` has no price for it. The by-model row shows the model
 * priced ($0.1496 over 3 calls, 1 unpriced); the unpriced list must say which provider's
 * calls lack the price, or the footer contradicts the row.
 */
const MODEL = 'llama-3.3-70b-versatile';
const TAGS = { feature: 'chat', tenant_id: 't1' };
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', provider: 'groq', model: MODEL, cost: 74_800_000, tags: TAGS },
  { at: '2026-11-03T10:00:00Z', provider: 'groq', model: MODEL, cost: 74_800_000, tags: TAGS },
  { at: '2026-11-04T10:00:00Z', provider: 'acme', model: MODEL, cost: null, tags: TAGS },
]);
afterAll(() => db.close());

const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC', where: [] };
const FOOTER = `1 unpriced call not included in spend: ${MODEL} on acme (1).`;

describe('the unpriced models of a report', () => {
  it('name the provider in the footer and in the JSON, from rollups', async () => {
    const q: ReportQuery = { ...NOVEMBER, by: ['model'] };
    expect(planQuery({ ...q, reach: 'reached' }, { rollups: await db.reads.rollupState() }).source).toBe('rollups');
    const r = await spendReport(db.reads, q);
    expect(r.rows.map((row) => [row.group.model, row.calls, row.costNano, row.unpricedCalls])).toEqual([[MODEL, 3, 149_600_000, 1]]);
    expect(renderTable(r, { color: false })).toContain(FOOTER);
    expect((reportToJson(r) as { unpriced: unknown }).unpriced).toEqual([{ model: MODEL, calls: 1, provider: 'acme' }]);
  });

  it('name the provider in the footer and in the JSON, from raw calls', async () => {
    const q: ReportQuery = { ...NOVEMBER, by: ['feature', 'tenant_id'] };
    expect(planQuery({ ...q, reach: 'reached' }, { rollups: await db.reads.rollupState() }).source).toBe('raw');
    const r = await spendReport(db.reads, q);
    expect(renderTable(r, { color: false })).toContain(FOOTER);
    expect((reportToJson(r) as { unpriced: unknown }).unpriced).toEqual([{ model: MODEL, calls: 1, provider: 'acme' }]);
  });
});
