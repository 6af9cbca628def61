import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { describe, expect, it } from 'vitest';
import { useDashboardData } from '../../src/tui/hooks/use-dashboard-data.js';
import type { DashboardQuery, DashboardSnapshot, DashboardSource } from '../../src/tui/types.js';

/** A source whose answers are new objects every time; `version` changes what they say. */
function fakeSource() {
  const calls: DashboardQuery[] = [];
  let version = 0;
  let fail: string | null = null;
  const source: DashboardSource = {
    label: 'fake',
    async load(q) {
      calls.push(q);
      if (fail) throw new Error(fail);
      return { range: { since: 0, until: 1, timeZone: 'UTC' }, header: { costNano: version, calls: 0, activeUsers: 0, unpricedCalls: 0, monthToDateNano: 0, monthToDateCalls: 0, monthToDatePricedCalls: 0, projectedMonthNano: 0 }, dimensions: [], table: { dimension: q.dimension, rows: [], totalNano: 0, totalCalls: 0 }, trend: [], budgets: [], tail: [], alerts: [], notes: [] } satisfies DashboardSnapshot;
    },
    close() {},
  };
  return { source, calls, bump: () => version++, failWith: (m: string | null) => (fail = m) };
}

let renders = 0;
function Probe({ source, dimension }: { source: DashboardSource; dimension: string }) {
  renders++;
  const { snapshot, error } = useDashboardData(source, { since: '30d', dimension, filters: [], drill: [] }, 20);
  return h(Text, null, `${snapshot ? `cost=${snapshot.header.costNano} by=${snapshot.table.dimension}` : 'loading'} ${error ?? ''}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds (timers run late on a loaded machine). */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('useDashboardData', () => {
  it('polls off the render path and re-renders only when the data changed', async () => {
    const f = fakeSource();
    renders = 0;
    const app = render(h(Probe, { source: f.source, dimension: 'feature' }));
    await eventually(() => f.calls.length >= 6, 'six loads');
    expect(renders).toBe(2); // the first render, then the first snapshot; identical answers change nothing
    expect(app.lastFrame()).toContain('cost=0 by=feature');
    f.bump();
    await eventually(() => app.lastFrame()!.includes('cost=1'), 'the changed snapshot');
    expect(renders).toBe(3);

    app.rerender(h(Probe, { source: f.source, dimension: 'model' }));
    await eventually(() => app.lastFrame()!.includes('by=model'), 'the new query');
    expect(f.calls.at(-1)!.dimension).toBe('model');

    f.failWith('database is locked');
    await eventually(() => app.lastFrame()!.includes('locked'), 'the error');
    expect(app.lastFrame()).toContain('cost=1 by=model database is locked'); // the last data stays on screen
    f.failWith(null);
    await eventually(() => !app.lastFrame()!.includes('locked'), 'recovery');
    app.unmount();
    const after = f.calls.length;
    await sleep(100);
    expect(f.calls.length).toBe(after); // no polling after unmount
  });
});
