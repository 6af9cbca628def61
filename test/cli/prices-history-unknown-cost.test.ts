import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';
import { writeMixedCostCalls } from './mixed-cost-calls.js';
import { UNKNOWN_COST_NOTE } from '../../src/cli/prices-reprice.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations/index.js';
import { SINCE } from '../audit/helpers.js';

/**
 * `prices history` reads a reprice run back with the calls that had a cost before and after
 * (reprice_runs / reprice_models, schema v24): a cost none of whose calls has one reads `—`
 * (unpriced, not $0: report/known-cost.ts), a sum that leaves calls out is marked `*`, as
 * `prices reprice` itself shows them. A run recorded before v24 does not know those counts:
 * its totals count calls without a cost as $0, and the history says so.
 */

const { dir, cli } = cliFolder('tokometer-history-unknown-');
const RUN_LINE = /^ {2}\d+ of \d+ calls changed.*$/gm;

describe('prices history with calls that had no cost', () => {
  it('shows — for a run none of whose calls has a cost and marks a partial sum *, with the dry run’s footnote', async () => {
    const file = path.join(dir(), 'calls.db');
    await writeMixedCostCalls(file);

    const acme = await cli(['prices', 'reprice', '--db', file, '--since', '2026-11-01', '--model', 'acme-llm-7b']);
    expect(acme.code, acme.err).toBe(0);
    const all = await cli(['prices', 'reprice', '--db', file, '--since', '2026-11-01']);
    expect(all.code, all.err).toBe(0);

    const res = await cli(['prices', 'history', '--db', file]);
    expect(res.code, res.err).toBe(0);
    // Newest first: the run over every call, then the one over acme-llm-7b alone.
    expect(res.out.match(RUN_LINE)).toEqual([
      // Old $0.003 of 1 call out of 3, new $0.007 of 2 (acme still without a cost).
      '  2 of 3 calls changed, 1 without a price now: $0.003* → $0.007* (+$0.004)',
      // No call had a cost, nor has one now: unknown, not "$0.00 → $0.00".
      '  0 of 1 calls changed, 1 without a price now: — → — (—)',
    ]);
    expect(res.out).toContain('\n    openai/gpt-4o: 2 of 2 calls, $0.003* → $0.007 (+$0.004)\n');
    expect(res.out).toContain(`\n${UNKNOWN_COST_NOTE}\n`);
    expect(res.out).not.toContain('$0.00 ');
  });

  it('says that a run recorded before the counts were kept counts calls without a cost as $0', async () => {
    const file = path.join(dir(), 'old.db');
    // A database an older tokometer (schema v23) left, with the run it recorded: 2 calls that
    // had no cost priced at 3,500,000 nano-USD each, 1 still without a price.
    const old = openDriver(file);
    migrate(old, MIGRATIONS.slice(0, 23));
    old
      .prepare(
        `INSERT INTO reprice_runs (id, actor, started_at, finished_at, since, until, model, prices, calls, changed, unpriced, old_total_nano, new_total_nano)
         VALUES (1, 'me@host', ?, ?, ?, ?, NULL, 'overrides, genai-prices@0.1.8', 3, 2, 1, 0, 7000000)`,
      )
      .run(SINCE + 86_400_000, SINCE + 86_400_000, SINCE, SINCE + 86_400_000);
    old.prepare("INSERT INTO reprice_models (run_id, provider, model, calls, changed, old_total_nano, new_total_nano) VALUES (1, 'openai', 'gpt-4o', 2, 2, 0, 7000000)").run();
    old.close();

    const res = await cli(['prices', 'history', '--db', file]);
    expect(res.code, res.err).toBe(0);
    // Not guessed: the figures as recorded, and why $0.00 may stand for calls without a cost.
    expect(res.out).toContain(
      [
        '  2 of 3 calls changed, 1 without a price now: $0.00 → $0.007 (+$0.007)',
        '    openai/gpt-4o: 2 of 2 calls, $0.00 → $0.007 (+$0.007)',
        '  these totals count calls without a cost as $0 (recorded by an older tokometer, which did not keep how many had one)',
      ].join('\n'),
    );
    expect(res.out).not.toContain(UNKNOWN_COST_NOTE);
  });
});
