import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/report/format/text.js';
import { reportToJson } from '../../src/report/format/json.js';
import { spendReport } from '../../src/report/query.js';
import { parseTimeRange } from '../../src/report/time-range.js';
import { App } from '../../src/tui/App.js';
import { readSpend, spendGroups } from '../../src/tui/data/admin-json.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { createUrlSource } from '../../src/tui/data/url-source.js';
import { orderDimensions } from '../../src/tui/dimensions.js';
import { initialState, queryOf, reduce, type KeyPress, type UiState } from '../../src/tui/state.js';
import { LIMITS, type DashboardSnapshot, type TailCall } from '../../src/tui/types.js';
import { buildView, viewFacts } from '../../src/tui/view/dashboard-view.js';
import { groupValue } from '../../src/tui/view/feed-view.js';
import { tableView } from '../../src/tui/view/table-view.js';
import { readsOf } from '../report/dataset.js';
import { NOW, readStore, seedDb } from './fixtures.js';

/**
 * Tag values and tag keys that read like the dashboard's own words, as `report` treats them
 * (test/report/synthetic-row-labels, builtin-named-tags): a call tagged user_id "(other)" is
 * a group of its own, apart from the `(other)` pool of the groups past the top LIMITS.groups,
 * shown quoted, and Enter drills into it; a tag key named `model` is offered as `tag:model`
 * and groups by the tag, not by the model column.
 */
const HOUR = 3_600_000;
const USERS = LIMITS.groups + 5;
/** The cost of the one call tagged user_id "(other)": the most expensive group. */
const REAL_OTHER = 500e6;
const db = seedDb([
  ...Array.from({ length: USERS }, (_, i) => ({
    at: NOW - (i + 1) * HOUR,
    model: 'gpt-4o-mini',
    cost: (i + 1) * 1e6,
    tags: { feature: 'chat', user_id: `u${String(i).padStart(3, '0')}`, model: i % 2 === 0 ? 'fast' : 'slow' },
  })),
  { at: NOW - 2 * HOUR, model: 'gpt-4o', cost: REAL_OTHER, tags: { feature: '(other)', user_id: '(other)', model: 'slow' } },
]);
const source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());
afterAll(() => {
  source.close();
  db.close();
});

const KEY: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false };
const ENTER = { ...KEY, return: true };

async function report(by: string) {
  const range = parseTimeRange({ since: '30d' }, { clock: () => NOW, timeZone: 'UTC' });
  return spendReport(readsOf(db.store.driver), { ...range, by: [by], where: [], timeZone: 'UTC', top: LIMITS.groups });
}

/** The table's lines as text, every row visible. */
function lines(snap: DashboardSnapshot): string[] {
  const v = tableView(snap.table, { selected: 0, rows: 100, width: 120, drill: [], dimensions: snap.dimensions });
  return [v.title, ...v.rows.map((r) => r.line)].map((l) => l.map((c) => c.text).join(''));
}

describe('a tag value that reads (other)', () => {
  it('is a row of its own beside the pool, as report counts them', async () => {
    const snap = await source.load(queryOf(initialState({ dimension: 'user_id' })));
    const r = await report('user_id');
    expect(snap.table.rows.map((g) => [g.value, g.kind, g.costNano, g.calls])).toEqual(r.rows.map((g) => [g.group.user_id, g.kind, g.costNano, g.calls]));
    const real = snap.table.rows.filter((g) => g.kind === 'group' && g.value === '(other)');
    const pool = snap.table.rows.filter((g) => g.kind === 'other');
    expect(real.map((g) => [g.costNano, g.calls])).toEqual([[REAL_OTHER, 1]]);
    // The pool: the 6 cheapest users (1..6 m$), last.
    expect(pool.map((g) => [g.costNano, g.calls])).toEqual([[21e6, 6]]);
    expect(snap.table.rows.at(-1)!.kind).toBe('other');
    expect(snap.table.rows.reduce((a, g) => a + g.costNano, 0)).toBe(snap.table.totalNano);
    expect(snap.table.totalNano).toBe(r.total.costNano);
    expect(snap.table.totalCalls).toBe(r.total.calls);
  });

  it('is shown quoted; the bare (other) row is the pool, and the title counts the groups by kind', async () => {
    const snap = await source.load(queryOf(initialState({ dimension: 'user_id' })));
    const shown = lines(snap);
    expect(shown[0]).toContain(`top ${LIMITS.groups} + (other)`);
    const quoted = shown.filter((l) => l.startsWith('› "(other)" ') || l.startsWith('  "(other)" '));
    expect(quoted).toHaveLength(1);
    expect(quoted[0]).toContain(formatMoney(REAL_OTHER));
    const bare = shown.filter((l) => /^[› ] \(other\) /.test(l));
    expect(bare).toHaveLength(1);
    expect(bare[0]).toContain(formatMoney(21e6));

    // Without a pool (two features), the title says nothing of a top N.
    const features = lines(await source.load(queryOf(initialState({ dimension: 'feature' }))));
    expect(features[0]).not.toContain('top');
    expect(features.slice(1).map((l) => l.slice(2).split(/\s+/)[0])).toEqual(['chat', '"(other)"']);
  });

  it('is drawn quoted on the screen', async () => {
    app = render(h(App, { source, initial: initialState({ dimension: 'user_id' }), color: false, intervalMs: 50, size: { columns: 100, rows: 30 } }));
    const deadline = Date.now() + 5000;
    let frame = '';
    while (!/Spend by user_id/.test((frame = app.lastFrame() ?? '')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const row = frame.split('\n').find((l) => l.startsWith('› "(other)"'));
    expect(row, frame).toBeDefined();
    expect(row).toContain(formatMoney(REAL_OTHER));
  });

  it('can be drilled into; the pool cannot', async () => {
    let s: UiState = initialState({ dimension: 'user_id' });
    const snap = await source.load(queryOf(s));
    const real = snap.table.rows.findIndex((g) => g.kind === 'group' && g.value === '(other)');
    const drilled = reduce({ ...s, selected: real }, { type: 'key', input: '', key: ENTER, facts: viewFacts(snap, s) });
    expect(drilled.message).toBeNull();
    expect(drilled.drill.map((d) => d.clause)).toEqual([{ key: 'user_id', op: '=', value: '(other)' }]);
    const inside = await source.load(queryOf(drilled));
    expect([inside.table.totalNano, inside.table.totalCalls]).toEqual([REAL_OTHER, 1]);

    s = { ...s, selected: snap.table.rows.length - 1 };
    const refused = reduce(s, { type: 'key', input: '', key: ENTER, facts: viewFacts(snap, s) });
    expect(refused.drill).toEqual([]);
    expect(refused.message).toMatch(/\(other\) sums the groups past the top/);
  });
});

describe('a tag key named like a built-in dimension', () => {
  it('is offered as tag:NAME', async () => {
    expect(orderDimensions(['model', 'user_id', 'feature', 'tag:x'])).toEqual(['feature', 'tag:model', 'tag:tag:x', 'user_id', 'model', 'provider', 'key']);
    const snap = await source.load(queryOf(initialState()));
    expect(snap.dimensions).toEqual(['feature', 'tag:model', 'user_id', 'model', 'provider', 'key']);
  });

  it('is reached with Tab and groups by the tag, not by the model column', async () => {
    let s = initialState();
    let snap = await source.load(queryOf(s));
    s = reduce(s, { type: 'key', input: '\t', key: { ...KEY, tab: true }, facts: viewFacts(snap, s) });
    expect(s.dimension).toBe('tag:model');
    snap = await source.load(queryOf(s));
    const r = await report('tag:model');
    expect(snap.table.rows.map((g) => [g.value, g.costNano, g.calls])).toEqual(r.rows.map((g) => [g.group['tag:model'], g.costNano, g.calls]));
    expect(snap.table.rows.map((g) => g.value).sort()).toEqual(['fast', 'slow']);
    expect(lines(snap)[0]).toContain('Spend by tag:model');

    // Drilling into one of its values filters on the tag, and goes on to the model column.
    const slow = snap.table.rows.findIndex((g) => g.value === 'slow');
    const drilled = reduce({ ...s, selected: slow }, { type: 'key', input: '', key: ENTER, facts: viewFacts(snap, s) });
    expect(drilled.dimension).toBe('model');
    const inside = await source.load(queryOf(drilled));
    expect(inside.table.rows.map((g) => g.value).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(inside.table.totalNano).toBe(r.rows.find((g) => g.group['tag:model'] === 'slow')!.costNano);
  });

  it('is the tag the live tail leaves out once the scope fixes it; the built-in model is not', async () => {
    const tailText = async (state: UiState) => {
      const v = buildView({ snapshot: await source.load(queryOf(state)), state, size: { columns: 160, rows: 60 }, sourceLabel: 'test.db', error: null });
      return v.tail.rows.map((l) => l.map((c) => c.text).join(''));
    };
    const byTag: UiState = { ...initialState({ dimension: 'model' }), drill: [{ clause: { key: 'tag:model', op: '=', value: 'slow' }, from: 'tag:model' }] };
    const drilled = await tailText(byTag);
    expect(drilled.length).toBeGreaterThan(0);
    // Every call on screen is tagged model=slow: the drill path says it, not every line.
    for (const line of drilled) expect(line).not.toContain('model=slow');
    // A filter on the model column fixes no tag: the tag model stays on the lines.
    const byColumn: UiState = { ...initialState({ dimension: 'feature' }), filters: [{ key: 'model', op: '=', value: 'gpt-4o-mini' }] };
    const filtered = await tailText(byColumn);
    expect(filtered.length).toBeGreaterThan(0);
    for (const line of filtered) expect(line).toMatch(/model=(fast|slow)/);
  });

  it('names the tag in the live tail column of tag:model', () => {
    const call: TailCall = { id: 1, ts: NOW, keyName: 'k', model: 'gpt-4o-mini', tags: { model: 'fast' }, costNano: 1, latencyMs: 1, status: 200 };
    expect(groupValue(call, 'tag:model')).toBe('fast');
    expect(groupValue(call, 'model')).toBe('k');
  });
});

describe('tui --url', () => {
  it('reads the kind of each row from the admin API, and keeps tag:model a dimension', async () => {
    const byUser = reportToJson(await report('user_id'));
    const rows = spendGroups(readSpend(byUser), 'user_id');
    expect(rows.filter((g) => g.value === '(other)').map((g) => g.kind)).toEqual(['group', 'other']);

    const byTag = reportToJson(await report('tag:model'));
    const fake = (async (url: string) => {
      const body = url.includes('/admin/budgets') ? { budgets: [] } : byTag;
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const viaUrl = createUrlSource({ url: 'http://127.0.0.1:1', token: 't', clock: () => NOW, timeZone: 'UTC', tagKeys: ['feature'], fetch: fake });
    const snap = await viaUrl.load({ since: '30d', dimension: 'tag:model', filters: [], drill: [] });
    expect(snap.dimensions).toEqual(['feature', 'tag:model', 'model', 'provider', 'key']);
    expect(snap.table.rows.map((g) => g.value).sort()).toEqual(['fast', 'slow']);
  });
});
