import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record, SINCE } from '../audit/helpers.js';
import type { CallRecord } from '../../src/store/types.js';
import { testStore } from '../support/store.js';
import { cliFolder } from './cli-folder.js';

/**
 * `prices reprice` and `prices history` list models by the size of their change, then by
 * model name alone, so models whose cost did not move (every row of a reprice that changes
 * nothing) interleaved providers: openai gpt-realtime, mistral mistral-embed, openai o3.
 * Ties now go by provider, then model; the biggest change stays first.
 */

const { dir, cli } = cliFolder('tokometer-reprice-order-');

/**
 * One gpt-4o call stored $0.0005 low, and one call each of three models of two providers
 * stored 1,000 nano low: three models of equal change. `history` lists changed models only.
 */
async function writeCalls(file: string): Promise<void> {
  const store = testStore(openDriver(file));
  const low = (r: CallRecord): CallRecord => ({ ...r, costNano: r.costNano! - 1_000 });
  store.insertCalls([
    low(record({ at: SINCE, model: 'gpt-realtime' })),
    low(record({ at: SINCE + 1_000, provider: 'mistral', model: 'mistral-embed' })),
    low(record({ at: SINCE + 2_000, model: 'o3' })),
    record({ at: SINCE + 3_000, model: 'gpt-4o', cost: 3_000_000 }),
  ]);
  await store.close();
}

/** The table rows (provider, model) of `out`, in order. */
function rows(out: string): string[] {
  return out
    .split('\n')
    .map((l) => /^\s*(openai|mistral)(?:\s+|\/)([^\s:]+)[\s:]/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

describe('prices reprice: row order', () => {
  it('the biggest change first, then models of equal change by provider, then model (reprice, and history)', async () => {
    const file = path.join(dir(), 'calls.db');
    await writeCalls(file);
    const expected = ['openai gpt-4o', 'mistral mistral-embed', 'openai gpt-realtime', 'openai o3'];
    const dry = await cli(['prices', 'reprice', '--db', file, '--since', '2026-11-01', '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(rows(dry.out)).toEqual(expected);
    const run = await cli(['prices', 'reprice', '--db', file, '--since', '2026-11-01']);
    expect(run.code, run.err).toBe(0);
    expect(rows(run.out)).toEqual(expected);
    const history = await cli(['prices', 'history', '--db', file]);
    expect(history.code, history.err).toBe(0);
    expect(rows(history.out)).toEqual(expected);
  });
});
