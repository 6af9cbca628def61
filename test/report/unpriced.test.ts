import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import type { CallRecord } from '../../src/store/types.js';
import { record } from './dataset.js';

/**
 * "Unpriced" has one definition (store/unpriced.ts): usage known (reported or estimated)
 * and no price. `report` and `prices unpriced` must count the same calls.
 */

let dir: string;
let dbPath: string;
const AT = '2026-11-10T12:00:00Z';

const calls: CallRecord[] = [
  record({ at: AT, model: 'priced-model', cost: 1000 }),
  record({ at: AT, model: 'no-price-reported', cost: null }),
  record({ at: AT, model: 'no-price-reported', cost: null }),
  { ...record({ at: AT, model: 'no-price-estimated', cost: null }), usageSource: 'estimated' },
  // Usage unknown (the body did not parse): no cost, but a price would not give it one.
  record({ at: AT, model: 'usage-unknown', cost: null, usage: false }),
  // Not metered (a models list, a refused call): cost 0, no usage.
  { ...record({ at: AT, model: 'not-metered', cost: 0, usage: false }), usageSource: 'not_metered' },
  { ...record({ at: AT, model: 'refused-model', cost: 0, usage: false }), usageSource: 'not_metered', outcome: 'refused', status: 429 },
];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls(calls);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: dir, clock: () => Date.parse('2026-12-01T00:00:00Z'), out: (t) => void (out += t), err: () => {}, isTTY: false };
  return { code: await runCli(args, ctx), out };
}

describe('unpriced calls', () => {
  it('are the same calls in `report` and `prices unpriced`', async () => {
    const report = await cli(['report', '--by', 'model', '--since', '2026-11-01', '--until', '2026-11-30', '--format', 'json', '--db', dbPath]);
    expect(report.code).toBe(0);
    const doc = JSON.parse(report.out) as { unpriced: Array<{ model: string; calls: number }>; total: { unpriced_calls: number } };

    const prices = await cli(['prices', 'unpriced', '--db', dbPath]);
    expect(prices.code).toBe(0);
    const listed = prices.out
      .split('\n')
      .map((l) => /^openai\s+(\S+)\s+(\d+)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ model: m[1]!, calls: Number(m[2]) }));

    const expected = [
      { model: 'no-price-reported', calls: 2 },
      { model: 'no-price-estimated', calls: 1 },
    ];
    expect(doc.unpriced).toEqual(expected.map((u) => ({ ...u, provider: 'openai' })));
    expect(listed).toEqual(expected);
    expect(doc.total.unpriced_calls).toBe(3);
    expect(prices.out).not.toContain('usage-unknown');
  });
});
