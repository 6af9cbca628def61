import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servePlan } from '../../src/cli/serve.js';

/**
 * A spill file in a folder that does not exist was accepted: serve started, and the records
 * the database refused were "spilled" to a file that could not be created, then lost at exit
 * (a trial: `--spill ./nodir/x.spill`, exit 1 "call records could not be written before exit
 * and are lost"). `--db ./nodir/x.db` is refused at start; the spill file now is too.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-spill-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve with a spill file whose folder does not exist', () => {
  const ctx = { env: {}, cwd: dir, invokedAs: 'tokometer' };

  it('is refused before it starts, naming the flag and the folder', () => {
    expect(() => servePlan(ctx, { db: path.join(dir, 'a.db'), spill: 'nodir/x.spill' })).toThrow(`--spill: the folder ${path.join(dir, 'nodir')} does not exist; create it or point --spill elsewhere`);
  });

  it('names store.spill_path when the config sets it', () => {
    const config = path.join(dir, 'tokometer.yaml');
    writeFileSync(config, 'store: { spill_path: "./missing/calls.spill" }\n');
    expect(() => servePlan(ctx, { config, db: path.join(dir, 'a.db') })).toThrow(`store.spill_path: the folder ${path.join(dir, 'missing')} does not exist; create it or point store.spill_path elsewhere`);
  });

  it('takes a spill file in a folder that exists', () => {
    expect(servePlan(ctx, { db: path.join(dir, 'a.db'), spill: 'x.spill' }).spillPath).toBe(path.join(dir, 'x.spill'));
  });
});
