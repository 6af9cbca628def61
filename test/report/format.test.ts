import { afterAll, describe, expect, it } from 'vitest';
import { csvField, renderCsv, renderUnitEconomicsCsv, roundForColumn } from '../../src/report/format/csv.js';
import { renderUnitEconomicsTable } from '../../src/report/format/economics-table.js';
import { metricFields, renderJson, usd } from '../../src/report/format/json.js';
import { renderTable } from '../../src/report/format/table.js';
import { excludedNotice, formatMoney } from '../../src/report/format/text.js';
import { spendReport } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import { buildDb, record } from './dataset.js';
import { matrixRow } from './report-cli.js';
import { NOVEMBER, NOVEMBER_CALLS } from './november.js';

const db = buildDb([...NOVEMBER_CALLS, { at: '2026-11-15T00:00:00Z', cost: 3e6, tags: { feature: 'say "hi", then\nleave' } }]);
afterAll(() => db.close());
const report = (q: Partial<ReportQuery> = {}) => spendReport(db.reads, { ...NOVEMBER, by: ['feature'], where: [], timeZone: 'UTC', ...q });

/** Minimal RFC 4180 reader for the round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += ch;
  }
  return rows;
}

const nano = (usdValue: number) => Math.round(usdValue * 1e9);

describe('json', () => {
  it('gives p50_latency_ms to the microsecond, without float noise (the median of an even count is a mean)', () => {
    const m = { costNano: 1, calls: 2, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, avgCostNano: 0, share: 1, p50LatencyMs: 137.41024749999997, pricedCalls: 2, unpricedCalls: 0 };
    expect(metricFields(m as never, false).p50_latency_ms).toBe(137.41);
    expect(metricFields({ ...m, p50LatencyMs: null } as never, false).p50_latency_ms).toBeNull();
  });

  it('has the SPEC §7 shape and parses back to the same numbers', async () => {
    const r = await report({ compare: 'previous' });
    const doc = JSON.parse(renderJson(r));
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['since', 'until', 'by', 'rows', 'total', 'unpriced']));
    expect(doc.since).toBe('2026-11-01T00:00:00.000Z');
    expect(doc.until).toBe('2026-12-01T00:00:00.000Z');
    expect(doc.by).toEqual(['feature']);
    expect(doc.rows[0]).toEqual({
      group: { feature: 'summarizer' },
      kind: 'group',
      cost_usd: 0.126,
      calls: 3,
      input_tokens: 30_000,
      output_tokens: 1_500,
      cached_input_tokens: 3_000,
      avg_cost_usd: 0.042,
      share: r.rows[0]!.share,
      p50_latency_ms: 200,
      priced_calls: 3,
      unpriced_calls: 0,
      prev_cost_usd: 1,
      change: r.rows[0]!.change,
    });
    doc.rows.forEach((row: { cost_usd: number; calls: number; avg_cost_usd: number }, i: number) => {
      expect(nano(row.cost_usd)).toBe(r.rows[i]!.costNano);
      expect(nano(row.avg_cost_usd)).toBe(r.rows[i]!.avgCostNano);
      expect(row.calls).toBe(r.rows[i]!.calls);
    });
    expect(nano(doc.total.cost_usd)).toBe(r.total.costNano);
    expect(doc.total.share).toBe(1);
    expect(doc.total.kind).toBe('total');
    expect(doc.unpriced).toEqual([
      { model: 'mystery-1', calls: 2, provider: 'openai' },
      { model: 'mystery-2', calls: 1, provider: 'openai' },
    ]);
    expect(doc.previous).toEqual({ since: '2026-10-02T00:00:00.000Z', until: '2026-11-01T00:00:00.000Z' });
  });

  it('keeps USD exact to the nano-dollar', async () => {
    expect(usd(1)).toBe(0.000000001);
    expect(usd(1_092_000_001)).toBe(1.092000001);
    expect(usd(-5)).toBe(-0.000000005);
    for (const n of [0, 1, 7, 999_999_999, 123_456_789_012, 160_500_000]) expect(nano(usd(n))).toBe(n);
  });

  it('stays valid JSON with a message for an empty period', async () => {
    const empty = await report({ since: 0, until: 1000 });
    const doc = JSON.parse(renderJson(empty, { message: 'no calls' }));
    expect(doc).toMatchObject({ rows: [], total: { cost_usd: 0, calls: 0 }, unpriced: [], message: 'no calls' });
  });
});

describe('csv', () => {
  it('has the same columns and numbers as the JSON (rounded by column), with a total line', async () => {
    const r = await report();
    const lines = parseCsv(renderCsv(r));
    const doc = JSON.parse(renderJson(r));
    expect(lines[0]).toEqual(['feature', 'cost_usd', 'calls', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'avg_cost_usd', 'share', 'p50_latency_ms', 'priced_calls', 'unpriced_calls', 'row_kind']);
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(doc.rows.length);
    body.forEach((line, i) => {
      const json = doc.rows[i];
      expect(line[0]).toBe(json.group.feature);
      expect(line.at(-1)).toBe(json.kind);
      lines[0]!.slice(1, -1).forEach((col, j) => {
        const cell = line[j + 1]!;
        if (json[col] === null) expect(cell).toBe('');
        else expect(Number(cell)).toBe(roundForColumn(col, json[col]));
      });
      expect(nano(Number(line[1]))).toBe(r.rows[i]!.costNano);
    });
    expect(lines.at(-1)![0]).toBe('(total)');
    expect(lines.at(-1)!.at(-1)).toBe('total');
    expect(nano(Number(lines.at(-1)![1]))).toBe(r.total.costNano);
    // No float noise: shares to 4 decimals, latencies to 0.1 ms, USD exact to the nano-dollar.
    const col = (name: string) => body.map((line) => line[lines[0]!.indexOf(name)]!);
    expect(col('share').every((v) => /^(0|1|0\.\d{1,4})$/.test(v))).toBe(true);
    expect(col('share')).toContain('0.7706');
    expect(col('p50_latency_ms').every((v) => /^\d+(\.\d)?$/.test(v))).toBe(true);
    expect(col('cost_usd').every((v) => /^\d+(\.\d{1,9})?$/.test(v))).toBe(true);
  });

  it('quotes per RFC 4180 and round-trips awkward group values', async () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField(1e-9)).toBe('0.000000001');
    expect(csvField(-2.5)).toBe('-2.5');
    const text = renderCsv(await report());
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text).map((l) => l[0])).toContain('say "hi", then\nleave');
  });

  it('never hands a spreadsheet a formula from a text field (tag values come from requests)', () => {
    expect(csvField('=cmd|\' /C calc\'!A0')).toBe("'=cmd|' /C calc'!A0");
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes a group column for a report without dimensions and compare columns when comparing', async () => {
    const lines = parseCsv(renderCsv(await report({ by: [], compare: 'previous' })));
    expect(lines[0]!.slice(0, 2)).toEqual(['group', 'cost_usd']);
    expect(lines[0]!.slice(-3)).toEqual(['prev_cost_usd', 'change', 'row_kind']);
    expect(lines).toHaveLength(2);
  });

  it('writes unit economics per tier', async () => {
    const ue = await unitEconomics(db.reads, { ...NOVEMBER, timeZone: 'UTC' }, { price_per_user: { pro: 29 }, price_per_tenant: {} });
    const lines = parseCsv(renderUnitEconomicsCsv(ue));
    expect(lines[0]!.slice(0, 3)).toEqual(['tier', 'calls', 'cost_usd']);
    expect(lines.find((l) => l[0] === 'pro')![9]).toBe('0'); // no user_id tags here: 0 users → $0 revenue
  });
});

describe('table', () => {
  const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

  it('aligns columns, right-justifies numbers and ends with a total and the unpriced footer', async () => {
    const text = renderTable(await report(), { color: false });
    expect(text).not.toMatch(/\u001b\[/);
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('feature'))!;
    const summarizer = lines.find((l) => l.startsWith('summarizer'))!;
    const total = lines.find((l) => l.startsWith('total'))!;
    // Right-justified: the spend column ends at the same position on every line. Some calls
    // have no cost (3 unpriced, 1 usage unknown), so the total's spend is marked `*` and the
    // other amounts keep a space in the marker's place, their digits aligned with it.
    const end = header.indexOf('spend') + 'spend'.length;
    expect(summarizer.slice(0, end).endsWith('$0.126 ')).toBe(true);
    expect(total.slice(0, end).endsWith('$0.164*')).toBe(true);
    expect(summarizer).toMatch(/77\.1%\s+3\s+\$0\.042\s+30,000\s+1,500\s+3,000\s+200 ms/);
    expect(text).toContain('* 3 unpriced calls not included in spend: mystery-1 on openai (2), mystery-2 on openai (1).');
    expect(text).toContain('Spend by feature · 2026-11-01 → 2026-12-01 (UTC)');
  });

  it('uses colour only when asked', async () => {
    const coloured = renderTable(await report(), { color: true });
    expect(coloured).toMatch(/\u001b\[1m/);
    expect(strip(coloured)).toBe(renderTable(await report(), { color: false }));
  });

  it('draws a trend bar next to each day', async () => {
    const text = renderTable(await report({ by: ['day'] }), { color: false });
    const line = (d: string) => text.split('\n').find((l) => l.startsWith(d))!;
    expect(line('2026-11-02')).toMatch(/█{20}$/); // the most expensive day (tied at $0.042)
    expect(line('2026-11-03')).toMatch(/\$0\.008.*█{3}▊$/); // 0.008 / 0.042 × 20 cells
    expect(line('2026-11-01')).not.toMatch(/█/);
  });

  it('shows the cross table matrix and the comparison', async () => {
    const cross = renderTable(await report({ by: ['feature', 'user_tier'] }), { color: false });
    expect(cross).toMatch(/feature \\ user_tier\s+pro\s+free\s+enterprise\s+\(none\)\s+total/);
    // No call of summarizer at enterprise or (none): blank; chatbot's (none) call is unpriced: —.
    expect(matrixRow(cross, 'summarizer')).toEqual({ pro: '$0.084', free: '$0.042', enterprise: '', '(none)': '', total: '$0.126' });
    expect(matrixRow(cross, 'chatbot')).toEqual({ pro: '$0.008', free: '$0.016*', enterprise: '$0.008', '(none)': '—', total: '$0.032*' });
    const compared = renderTable(await report({ compare: 'previous' }), { color: false });
    expect(compared).toMatch(/chatbot .*\$0\.016\s+\+100\.0%/);
    expect(compared).toMatch(/autocomplete .*\$0\.00\s+new/);
  });

  it('shows control characters of stored values escaped (data written before the proxy refused them), in every part and colour mode', async () => {
    const evil = buildDb([
      { at: '2026-11-10T00:00:00Z', cost: 2e6, tags: { feature: '\u001b]52;c;eA==\u0007sum\r\nforged  $9.00', user_tier: '\u001b[8mhidden\u009b2J' } },
      { at: '2026-11-10T00:00:00Z', cost: null, model: 'gpt\u001b[2J', tags: { feature: 'ok' } },
    ]);
    try {
      const run = (by: string[], color: boolean) => spendReport(evil.reads, { ...NOVEMBER, by, where: [], timeZone: 'UTC' }).then((r) => renderTable(r, { color }));
      for (const color of [false, true]) {
        const texts = [await run(['feature'], color), await run(['feature', 'user_tier'], color), await run(['user_tier', 'feature'], color)];
        for (const text of texts) {
          // Only line breaks and (when asked) the table's own colour codes.
          expect(strip(text)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
          if (!color) expect(text).not.toContain('\u001b');
          expect(text).toContain('gpt\\u001b[2J on openai (1)');
        }
        expect(texts[0]).toMatch(/^\\u001b]52;c;eA==\\u0007sum\\u000d\\u000aforged {2}\$9\.00\s+\$0\.002/m);
        expect(texts[1]).toContain('\\u001b[8mhidden\\u009b2J');
        expect(texts[2]).toMatch(/^(\u001b\[2m)?\\u001b\[8mhidden\\u009b2J/m);
      }
    } finally {
      evil.close();
    }
  });

  it('says how many groups a long list has and how to keep fewer; --top says so in the title', async () => {
    const sessions = buildDb(Array.from({ length: 25 }, (_, i) => ({ at: '2026-11-10T00:00:00Z', cost: (i + 1) * 1e6, tags: { session_id: `s${i}` } })));
    try {
      const bySession = (top?: number) => spendReport(sessions.reads, { ...NOVEMBER, by: ['session_id'], where: [], timeZone: 'UTC', ...(top ? { top } : {}) });
      const all = renderTable(await bySession(), { color: false });
      expect(all.trimEnd().split('\n').at(-1)).toBe('25 session_id values, most expensive first; --top N lists the first N and sums the rest into (other).');
      const top = renderTable(await bySession(5), { color: false });
      expect(top).toContain('· top 5');
      expect(top).toMatch(/^\(other\)\s/m);
      expect(top).not.toContain('values, most expensive first');
      // Short lists need no count.
      expect(renderTable(await report(), { color: false })).not.toContain('most expensive first');
    } finally {
      sessions.close();
    }
  });

  it('prints a friendly message for an empty period', async () => {
    const text = renderTable(await report({ since: Date.parse('2020-01-01T00:00:00Z'), until: Date.parse('2020-02-01T00:00:00Z') }), { color: false });
    expect(text).toContain('No calls recorded between 2020-01-01 and 2020-02-01 (UTC).');
    expect(text).toContain('tokometer serve');
  });

  it('an empty report with --where says to check the filter values, not to start the proxy; a model filter learns that models are named as the provider answered', async () => {
    const text = renderTable(await report({ where: [{ key: 'model', op: '=', value: 'gpt-9' }] }), { color: false });
    expect(text).toContain('matching the filters.');
    expect(text).not.toContain('tokometer serve');
    expect(text).toContain('`tokometer report --by model` lists the values recorded');
    expect(text).toContain('a model is recorded as the provider answered (gpt-4o-mini-2024-07-18, say), not as requested');
  });

  it('formats money with sensible precision', async () => {
    expect(formatMoney(1_100 * 1e9)).toBe('$1,100.00');
    expect(formatMoney(42e6)).toBe('$0.042');
    expect(formatMoney(1e6)).toBe('$0.001');
    expect(formatMoney(116_000)).toBe('$0.000116');
    expect(formatMoney(1)).toBe('<$0.000001');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(-2_500e6)).toBe('-$2.50');
  });

  it('renders unit economics with COGS and margin', async () => {
    const econDb = buildDb([
      { at: '2026-11-02T00:00:00Z', cost: 4.5e9, tags: { user_id: 'a', user_tier: 'pro', tenant_id: 't1' } },
      { at: '2026-11-02T00:00:00Z', cost: 0.08e9, tags: { user_id: 'b', user_tier: 'free', tenant_id: 't1', session_id: 's' } },
    ]);
    const ue = await unitEconomics(econDb.reads, { ...NOVEMBER, timeZone: 'UTC' }, { price_per_user: { free: 0, pro: 29 }, price_per_tenant: {} });
    const text = renderUnitEconomicsTable(ue, { color: false });
    econDb.close();
    expect(text).toMatch(/pro\s+1\s+\$4\.50\s+98\.3%\s+\$4\.50/);
    expect(text).toMatch(/\$29\.00\s+15\.5%\s+\$24\.50\s+84\.5%/);
    expect(text).toContain('Subsidy: free usage cost $0.080, carried by 1 paid user,');
    expect(text).toContain('Active users 2');
  });

  it('says when calls were recorded but none reached the provider, and counts them', async () => {
    const refused = buildDb([]);
    refused.store.insertCalls([{ ...record({ at: '2026-11-02T00:00:00Z', cost: 0, usage: false }), outcome: 'refused', status: 429, usageSource: 'not_metered' }]);
    const text = renderTable(await spendReport(refused.reads, { ...NOVEMBER, by: ['model'], where: [], timeZone: 'UTC' }), { color: false });
    refused.close();
    expect(text).toContain('No call was served by the provider between 2026-11-01 and 2026-12-01 (UTC).');
    expect(text).toContain('Not counted: 1 call the provider did not serve (1 refused); see them with --where outcome=refused.');
    expect(text).not.toContain('tokometer serve');
  });

  it('a filter that matched refused calls only gets no "check the filter values" hint (it matched); --key alone gets one', async () => {
    const refused = buildDb([]);
    refused.store.insertCalls([{ ...record({ at: '2026-11-02T00:00:00Z', cost: 0, usage: false }), outcome: 'refused', status: 429, usageSource: 'not_metered' }]);
    const matched = renderTable(await spendReport(refused.reads, { ...NOVEMBER, by: ['model'], where: [{ key: 'model', op: '=', value: 'gpt-4o-mini' }], timeZone: 'UTC' }), { color: false });
    refused.close();
    expect(matched).not.toContain('Check the filter values');
    const byKey = renderTable(await report({ keyName: 'no-such-key' }), { color: false });
    expect(byKey).toContain('matching the filters.');
    expect(byKey).toContain('Check the key name: `tokometer keys list --all` lists the keys.');
    expect(byKey).not.toContain('tokometer serve');
  });

  it('lists the --where of every outcome it did not count, not only the first', () => {
    const line = excludedNotice([
      { outcome: 'refused', calls: 3 },
      { outcome: 'upstream_error', calls: 2 },
    ]);
    expect(line).toContain('(3 refused, 2 upstream_error); see them with --where outcome=refused or --where outcome=upstream_error.');
    expect(excludedNotice([{ outcome: 'refused', calls: 1 }])).toMatch(/see them with --where outcome=refused\.$/);
  });

  it('states the exact proration factor and shows the prorated revenue, so a tenant margin adds up', async () => {
    const econDb = buildDb([{ at: '2026-11-02T00:00:00Z', cost: 1.2e9, tags: { user_id: 'a', user_tier: 'pro', tenant_id: 'acme' } }]);
    // 29 days of a 30-day month.
    const ue = await unitEconomics(econDb.reads, { since: Date.parse('2026-11-02T00:00:00Z'), until: NOVEMBER.until, timeZone: 'UTC' }, { price_per_user: {}, price_per_tenant: { acme: 1683 } });
    const text = renderUnitEconomicsTable(ue, { color: false });
    econDb.close();
    expect(text).toContain('monthly prices × 0.966667 (');
    // contract $1,683.00/mo × 29/30 = $1,626.90 revenue; minus $1.20 spend = $1,625.70 margin.
    expect(text).toMatch(/acme\s+1\s+1\s+\$1\.20\s+100\.0%\s+\$1,683\.00\s+\$1,626\.90\s+0\.1%\s+\$1,625\.70\s+99\.9%/);
  });
});

