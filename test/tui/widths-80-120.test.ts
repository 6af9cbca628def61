import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import type { Size } from '../../src/tui/layout.js';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSource } from '../../src/tui/types.js';
import { USD, type CallSpec } from '../report/dataset.js';
import { NOW, readStore, seedDb, type SeededDb } from './fixtures.js';

/**
 * The dashboard at the two widths people run it at, 80 and 120 columns, on calls shaped like
 * the demo's: keys named after the features, dated model names (`claude-sonnet-4-20250514`),
 * feature / user_tier / tenant_id / user_id tags, a few calls without a cost. What a user
 * needs shows whole: the model names, the tags the group column does not already show, the
 * database's file name, the budgets' resets, and the figures line's parts. As in a fresh
 * demo database, no budget alert has fired yet.
 */

const MODELS = ['gpt-4.1-mini-2025-04-14', 'claude-sonnet-4-20250514', 'gemini-2.5-flash'];
const FEATURES = ['chatbot', 'summarizer', 'autocomplete'];
const TIERS = ['free', 'pro', 'enterprise'];

function calls(): CallSpec[] {
  const out: CallSpec[] = Array.from({ length: 40 }, (_, i) => ({
    at: NOW - (i + 1) * 90_000,
    key: FEATURES[i % 3]!,
    model: MODELS[i % 3]!,
    cost: 2_000_000 + i * 10_000,
    latency: 200 + i,
    tags: { feature: FEATURES[i % 3]!, user_tier: TIERS[i % 3]!, tenant_id: `t_${i % 5}`, user_id: `u_${i % 7}` },
  }));
  // Calls whose cost is not known: the figures line says so, which makes it long.
  out.push({ at: NOW - 3_600_000 * 30, model: 'mystery-model', key: 'chatbot', cost: null, tags: { feature: 'chatbot' } });
  out.push({ at: NOW - 3_600_000 * 31, model: 'gpt-4o-mini', key: 'chatbot', cost: null, usage: false, tags: { feature: 'chatbot' } });
  return out;
}

let db: SeededDb;
let source: DashboardSource;
let app: ReturnType<typeof render> | undefined;

beforeAll(() => {
  db = seedDb(calls());
  db.store.driver.prepare('DELETE FROM alerts').run();
  // The demo's budget on its autocomplete key: a 12-column label and a 13-column $0.0xx/$0.175.
  const budget = JSON.stringify({ limitNano: 0.175 * USD, period: 'month', alertAt: [0.5, 0.8, 1], soft: false });
  db.store.driver.prepare('INSERT INTO keys (name, prefix, hash, budget, created_at) VALUES (?, ?, ?, ?, ?)').run('autocomplete', 'mk_auto', 'hash-auto', budget, NOW - 40 * 86_400_000);
  source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
});
afterEach(() => app?.unmount());
afterAll(() => {
  source.close();
  db.close();
});

async function frameAt(size: Size, ready: (frame: string) => boolean): Promise<string[]> {
  app = render(h(App, { source, initial: initialState({ dimension: 'feature' }), color: false, intervalMs: 50, size }));
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (ready(frame)) return frame.split('\n');
    if (Date.now() > deadline) throw new Error(`no ready frame; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const loaded = (f: string) => f.includes('Live tail') && /^\d\d:\d\d:\d\d /m.test(f) && f.includes('Budgets');
const tailRows = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('Live tail')) + 1).filter((l) => /^\d\d:\d\d:\d\d /.test(l));

describe('tui at 120 columns', () => {
  it('shows whole model names in the live tail, and tags other than the group-by one', async () => {
    const lines = await frameAt({ columns: 120, rows: 40 }, loaded);
    const rows = tailRows(lines);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect([...row].length).toBeLessThanOrEqual(120);
      expect(row, row).toMatch(/  (gpt-4\.1-mini-2025-04-14|claude-sonnet-4-20250514|gemini-2\.5-flash)  /);
      // The group column says the feature; the tags say what it does not.
      expect(row).toMatch(/^\d\d:\d\d:\d\d  (chatbot|summarizer|autocomplete) /);
      expect(row).toMatch(/  user_tier=(free|pro|enterprise) /);
      expect(row).not.toContain('feature=');
    }
    expect(rows.some((r) => r.includes('claude-sonnet-4-20250514'))).toBe(true);
  });

  it('keeps the budgets their reset time', async () => {
    const lines = await frameAt({ columns: 120, rows: 40 }, loaded);
    const gauges = lines.filter((l) => /(summarizer|chatbot|autocomplete) +[█░]+ +\d+%/.test(l));
    expect(gauges.length).toBe(3);
    for (const g of gauges) expect(g).toMatch(/ month  resets 12-01$/);
  });
});

describe('tui at 80 columns', () => {
  it('ends the header with the database file name, shortening its path from the left', async () => {
    const lines = await frameAt({ columns: 80, rows: 30 }, loaded);
    expect([...lines[0]!].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^tokometer  last 30 days .*  …\/.*tokometer\.db$/);
  });

  it('drops whole parts of the figures line rather than cut a word', async () => {
    const lines = await frameAt({ columns: 80, rows: 30 }, loaded);
    const figures = lines[1]!;
    expect([...figures].length).toBeLessThanOrEqual(80);
    expect(figures).toMatch(/^Spend \$\S+  \d+ calls  1 unpriced  1 usage unknown/);
    expect(figures).not.toContain('…');
    // Every part it keeps is whole: the line ends in a figure or a whole word.
    expect(figures).toMatch(/( active users| projected month \S+)$/);
  });
});
