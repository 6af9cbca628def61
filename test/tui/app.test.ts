import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { costKnown } from '../../src/report/known-cost.js';
import { formatInt, formatMoney, formatPercent } from '../../src/report/format/text.js';
import { spendReport } from '../../src/report/query.js';
import { parseTimeRange } from '../../src/report/time-range.js';
import type { WhereClause } from '../../src/report/types.js';
import { readsOf } from '../report/dataset.js';
import { App } from '../../src/tui/App.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import type { Size } from '../../src/tui/layout.js';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSource } from '../../src/tui/types.js';
import { NOW, readStore, seedDb, TAG_BUDGETS, type SeededDb } from './fixtures.js';

/**
 * The dashboard rendered by ink-testing-library on the seeded database: every panel's
 * figures are compared with spendReport (what `report --format json` prints) for the same
 * period, and key presses are sent through stdin as a terminal would.
 */

let db: SeededDb;
let source: DashboardSource;
let app: ReturnType<typeof render> | undefined;

beforeAll(() => {
  db = seedDb();
  source = createDbSource({ store: readStore(db.path), label: 'test.db', clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: TAG_BUDGETS });
});
afterEach(() => app?.unmount());
afterAll(() => {
  source.close();
  db.close();
});

const KEYS = { tab: '\t', shiftTab: '\u001b[Z', right: '\u001b[C', left: '\u001b[D', up: '\u001b[A', down: '\u001b[B', enter: '\r', backspace: '\u007f', escape: '\u001b' };

function start(options: { color?: boolean; size?: Size } = {}): ReturnType<typeof render> {
  app = render(h(App, { source, initial: initialState(), color: options.color ?? false, intervalMs: 50, size: options.size ?? { columns: 80, rows: 24 } }));
  return app;
}

/** Waits until the latest frame satisfies `ok` (the data hook loads asynchronously). */
async function frameWhere(ok: (frame: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = app!.lastFrame() ?? '';
    if (ok(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`no frame ${what}; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function press(input: string, then: (frame: string) => boolean, what: string): Promise<string> {
  app!.stdin.write(input);
  return frameWhere(then, what);
}

function reportFor(since: string, by: string[], where: WhereClause[] = []) {
  const range = parseTimeRange({ since }, { clock: () => NOW, timeZone: 'UTC' });
  return spendReport(readsOf(db.store.driver), { ...range, by, where, timeZone: 'UTC', top: by.length > 0 ? 50 : undefined });
}

/** The table line of a group: its value, then its spend, share and calls in that order. */
function tableLine(frame: string, value: string): string {
  const line = frame.split('\n').find((l) => new RegExp(`^[› ] ${value.replace(/[()]/g, '\\$&')}\\s`).test(l));
  if (!line) throw new Error(`no table row for ${value} in:\n${frame}`);
  return line;
}

function expectTable(frame: string, report: Awaited<ReturnType<typeof reportFor>>, dim: string) {
  expect(report.rows.length).toBeGreaterThan(0);
  for (const row of report.rows) {
    const line = tableLine(frame, row.group[dim]!);
    // A group none of whose calls has a cost shows — for both, as report does (report/known-cost.ts).
    if (costKnown(row)) {
      expect(line).toContain(formatMoney(row.costNano));
      expect(line).toContain(formatPercent(row.share));
    } else {
      expect(line).toMatch(/\s—\s+—\s/);
    }
    expect(line).toContain(`${formatInt(row.calls)} calls`);
  }
}

describe('tui frames on a seeded database', () => {
  it('shows every panel at 80×24, with the numbers of report --format json', async () => {
    start();
    const frame = await frameWhere((f) => f.includes('Spend by feature') && f.includes('Live tail'), 'with the dashboard');
    const head = await reportFor('30d', []);
    expect(frame).toContain(`Spend ${formatMoney(head.total.costNano)}`);
    expect(frame).toContain(`${formatInt(head.total.calls)} calls`);
    expect(frame).toMatch(/\b7 active users/);
    expect(frame).toMatch(/projected month \$\d/);
    expect(frame).toContain(`${head.unpriced.reduce((a, u) => a + u.calls, 0)} unpriced`);
    expectTable(frame, await reportFor('30d', ['feature']), 'feature');
    expect(frame).toMatch(/summarizer\s+█+░*\s+93%\s+\$0\.927\/\$1\.00 month\s+resets 12-01\b/);
    expect(frame).toMatch(/pro-monthly\s+█+░+\s+25%/);
    expect(frame).toMatch(/Daily [·▁▂▃▄▅▆▇█]{20,}\s+peak \$/);
    // The tail's second column is the group-by value (the feature); its tags are the others.
    expect(frame).toMatch(/^(\d\d:\d\d:\d\d|\d\d-\d\d \d\d:\d\d)\s+autocomplete\s+codestral\s+\$0\.000\d+\s+\d+ ms  user_tier=free/m);
    expect(frame).toContain('key budget summarizer reached 80%  $0.800 of $1.00');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it('uses more room on a bigger terminal: two columns, more rows', async () => {
    start({ size: { columns: 160, rows: 48 } });
    const frame = await frameWhere((f) => f.includes('Spend by feature') && f.includes('Live tail'), 'wide');
    const lines = frame.split('\n');
    expect(lines.length).toBeGreaterThan(30);
    expect(lines.length).toBeLessThanOrEqual(47);
    expect(lines.find((l) => l.includes('Spend by feature'))).toContain('Budgets');
    expect(lines.find((l) => l.startsWith('Live tail'))).toContain('Alerts');
    expect(frame).toContain('(so far $');
  });

  it('Tab, → and ← change the dimension; the rows follow the report', async () => {
    start();
    await frameWhere((f) => f.includes('Spend by feature') && f.includes('summarizer'), 'by feature');
    let frame = await press(KEYS.tab, (f) => f.includes('Spend by user_tier') && f.includes('enterprise'), 'by user_tier');
    expectTable(frame, await reportFor('30d', ['user_tier']), 'user_tier');
    frame = await press(KEYS.right, (f) => f.includes('Spend by tenant_id') && f.includes('t_acme'), 'by tenant_id');
    expectTable(frame, await reportFor('30d', ['tenant_id']), 'tenant_id');
    await press(KEYS.left, (f) => f.includes('Spend by user_tier'), 'back to user_tier');
    await press(KEYS.shiftTab, (f) => f.includes('Spend by feature'), 'back to feature');
    frame = await press(KEYS.left, (f) => f.includes('Spend by key') && f.includes('summarizer'), 'wrap to key');
    expectTable(frame, await reportFor('30d', ['key']), 'key');
  });

  it('Enter drills into the selected group (by model, then by user_tier) and Backspace goes back', async () => {
    start();
    await frameWhere((f) => /^› summarizer/m.test(f), 'summarizer selected');
    await press(KEYS.down, (f) => /^› chatbot/m.test(f), 'chatbot selected');
    let frame = await press(KEYS.enter, (f) => f.includes('Spend by model · feature=chatbot') && f.includes('mystery-model'), 'drilled into chatbot');
    const chatbot: WhereClause = { key: 'feature', op: '=', value: 'chatbot' };
    expectTable(frame, await reportFor('30d', ['model'], [chatbot]), 'model');
    frame = await press(KEYS.enter, (f) => f.includes('Spend by user_tier · feature=chatbot · model=gpt-4o-mini') && f.includes('enterprise'), 'drilled into the model');
    expectTable(frame, await reportFor('30d', ['user_tier'], [chatbot, { key: 'model', op: '=', value: 'gpt-4o-mini' }]), 'user_tier');
    await press(KEYS.backspace, (f) => f.includes('Spend by model · feature=chatbot') && !f.includes('model=gpt-4o-mini'), 'back to models');
    frame = await press(KEYS.backspace, (f) => f.includes('Spend by feature  '), 'back to features');
    expectTable(frame, await reportFor('30d', ['feature']), 'feature');
  });

  it('1, 7, 3 and m switch the period; / filters every figure', async () => {
    start();
    await frameWhere((f) => f.includes('last 30 days') && f.includes('summarizer'), 'started');
    const spend = async (since: string, where: WhereClause[] = []) => `Spend ${formatMoney((await reportFor(since, [], where)).total.costNano)}`;
    const week = await spend('7d');
    let frame = await press('7', (f) => f.includes('last 7 days') && f.includes(week), '7 days');
    expectTable(frame, await reportFor('7d', ['feature']), 'feature');
    const day = await spend('1d');
    frame = await press('1', (f) => f.includes('last 24 hours') && f.includes(day), '1 day');
    const month = await spend('this-month');
    frame = await press('m', (f) => f.includes('this month') && f.includes(month), 'month');
    expectTable(frame, await reportFor('this-month', ['feature']), 'feature');
    await press('3', (f) => f.includes('last 30 days'), 'back to 30 days');
    await press('/', (f) => f.includes('Filter (key=value'), 'filter prompt');
    for (const ch of 'user_tier=free') app!.stdin.write(ch);
    const free: WhereClause = { key: 'user_tier', op: '=', value: 'free' };
    const filtered = await spend('30d', [free]);
    frame = await press(KEYS.enter, (f) => f.includes('user_tier=free') && f.includes(filtered), 'filtered');
    expectTable(frame, await reportFor('30d', ['feature'], [free]), 'feature');
  });

  it('? shows the help and any key closes it', async () => {
    start();
    await frameWhere((f) => f.includes('Spend by feature'), 'started');
    const frame = await press('?', (f) => f.includes('Keys') && f.includes('drill into the selected group'), 'help');
    expect(frame).not.toContain('Live tail');
    await press('x', (f) => f.includes('Live tail'), 'help closed');
  });

  it('NO_COLOR (color off): no escape sequences at all, the selection still marked', async () => {
    start({ color: false });
    const plain = await frameWhere((f) => f.includes('Live tail') && f.includes('summarizer'), 'plain');
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain).toMatch(/^› summarizer/m);
  });
});
