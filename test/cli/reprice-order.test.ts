import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record, SINCE } from '../audit/helpers.js';
import { testStore } from '../support/store.js';
import { cliFolder } from './cli-folder.js';

/**
 * `prices reprice` and `prices history` list models by the size of their change, then by
 * model name alone, so models whose cost did not move (every row of a reprice that changes
 * nothing) interleaved providers: openai gpt-realtime, mistral mistral-embed, openai o3.
 * Ties now go by provider, then model.
 */

const { dir, cli } = cliFolder('tokometer-reprice-order-');

/** Calls at today's prices (no change) for three models of two providers, and one gpt-4o call stored $0.0005 low. */
async function writeCalls(file: string): Promise<void> {
  const store = testStore(openDriver(file));
  store.insertCalls([
    record({ at: SINCE, model: 'gpt-realtime' }),
    record({ at: SINCE + 1_000, provider: 'mistral', model: 'mistral-embed' }),
    record({ at: SINCE + 2_000, model: 'o3' }),
    record({ at: SINCE + 3_000, model: 'gpt-4o', cost: 3_000_000 }),
  ]);
  await store.close();
}

/** The table rows (provider, model) of `out`, in order. */
function rows(out: string): string[] {
  return out
    .split('\n')
    .map((l) => /^\s*(openai|mistral)\s+(\S+)\s/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

describe('prices reprice: row order', () => {
  it('the changed model first, then the unchanged ones by provider, then model', async () => {
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
