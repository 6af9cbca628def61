import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/proxy/log.js';
import { MIN_RETENTION_DAYS_WITH_BUDGETS, startRetention } from '../../src/proxy/retention.js';
import { spendReport } from '../../src/report/query.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { readsOf } from '../report/dataset.js';
import { makeCall } from '../store/fixtures.js';
import { waitFor } from '../support/proxy-harness.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('retention in serve', () => {
  it('prunes raw calls past retention_days (never inside the budget window) and keeps reports adding up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-retention-'));
    const store = createStore(openDriver(path.join(dir, 'r.db')));
    const ages = [90, 60, 45, 20, 1];
    store.insertCalls(ages.map((d, i) => makeCall(i, { ts: NOW - d * DAY, costNano: 1_000_000 * (i + 1) })));
    const all = { since: NOW - 100 * DAY, until: NOW, by: ['model'], where: [], timeZone: 'UTC' };
    const before = (await spendReport(readsOf(store.driver), all)).total;
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const stop = startRetention({ store, retentionDays: 10, clock: () => NOW, log });
    const remaining = () => store.driver.prepare('SELECT COUNT(*) AS n FROM calls').get<{ n: number }>()!.n;
    // 10 days is raised to the budget window: calls 90, 60 and 45 days old go, 20 and 1 stay.
    await waitFor(() => remaining() === 2, 3000, 'prune');
    stop();
    expect(warnings.join('\n')).toContain(`raised to ${MIN_RETENTION_DAYS_WITH_BUDGETS}`);
    const after = (await spendReport(readsOf(store.driver), all)).total;
    expect(after.calls).toBe(before.calls);
    expect(after.costNano).toBe(before.costNano);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prunes one chunk per step (one transaction on the main thread), continuing on the next event-loop turn', async () => {
    const asked: number[] = [];
    // A store with three chunks to prune: each step reports 5,000 calls gone until the last.
    const store = {
      prune: async (_days: number, now: number, options?: { maxCalls?: number }) => {
        asked.push(options?.maxCalls ?? Infinity);
        const done = asked.length === 3;
        return { cutoff: now - 40 * DAY, calls: done ? 10 : 5_000, done };
      },
    } as unknown as Parameters<typeof startRetention>[0]['store'];
    const stop = startRetention({ store, retentionDays: 40, clock: () => NOW, log: silentLogger });
    await waitFor(() => asked.length === 3, 3000, 'three steps');
    stop();
    // Each step is one chunk of store/prune.ts (5,000 calls, one transaction).
    expect(asked).toEqual([5_000, 5_000, 5_000]);
  });
});
