import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import { initialState } from '../../src/tui/state.js';
import type { DashboardSource } from '../../src/tui/types.js';
import type { CallSpec } from '../report/dataset.js';
import { NOW, readStore, seedDb, type SeededDb } from './fixtures.js';

/**
 * The dashboard at 160 columns on calls with long key and model names, four tags each and
 * latencies in the thousands of ms (what the demo records): the live tail keeps every
 * number whole, shows the group-by value (the feature) and the whole model name, and gives
 * the other tags the columns the alerts beside it do not need; with more
 * sessions than the table keeps, its title says it shows the top 50 plus (other).
 */

const SESSIONS = 60;
let db: SeededDb;
let source: DashboardSource;
let app: ReturnType<typeof render> | undefined;

function calls(): CallSpec[] {
  return Array.from({ length: SESSIONS }, (_, i) => ({
    at: NOW - (i + 1) * 60_000,
    key: 'autocomplete-service',
    model: 'gpt-4.1-mini-2025-04-14',
    cost: 871_000 + i * 1000,
    latency: 4321 + i,
    tags: { feature: 'autocomplete', user_tier: 'enterprise', tenant_id: 't_0042', session_id: `s_${String(i).padStart(5, '0')}` },
  }));
}

beforeAll(() => {
  db = seedDb(calls());
  source = createDbSource({ store: readStore(db.path), label: 'wide.db', clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [] });
});
afterEach(() => app?.unmount());
afterAll(() => {
  source.close();
  db.close();
});

async function frameAt160(dimension: string, ready: (frame: string) => boolean): Promise<string> {
  app = render(h(App, { source, initial: initialState({ dimension }), color: false, intervalMs: 50, size: { columns: 160, rows: 40 } }));
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (ready(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`no ready frame; last frame:\n${frame}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tui at 160 columns', () => {
  it('keeps the latency digits whole in the live tail and gives the tags the spare width', async () => {
    const frame = await frameAt160('feature', (f) => f.includes('Live tail') && /^\d\d:\d\d:\d\d /m.test(f));
    const lines = frame.split('\n');
    const tail = lines.slice(lines.findIndex((l) => l.startsWith('Live tail')) + 1).filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(tail.length).toBeGreaterThan(5);
    for (const line of tail) {
      expect([...line].length).toBeLessThanOrEqual(160);
      // Time, the feature, the whole model name, cost and latency, then at least the whole first
      // tag other than feature (the alerts beside the tail take only the ~65 columns their lines need).
      expect(line).toMatch(/^\d\d:\d\d:\d\d  autocomplete  gpt-4\.1-mini-2025-04-14 +\$0\.000\d+ +4,3\d\d ms  user_tier=enterprise[ …]/);
    }
  });

  it('says the session table is the top 50 plus (other)', async () => {
    const frame = await frameAt160('session_id', (f) => f.includes('Spend by session_id') && f.includes('(other)'));
    expect(frame).toMatch(/Spend by session_id .* 1–\d+ of 51: top 50 \+ \(other\)/);
  });
});
