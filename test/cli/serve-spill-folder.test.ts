import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servePlan } from '../../src/cli/serve.js';
import { ConfigError } from '../../src/lib/errors.js';
import { thrownBy } from '../config/thrown.js';

/**
 * A spill file in a folder that does not exist was accepted: serve started, and the records
 * the database refused were "spilled" to a file that could not be created, then lost at exit
 * (a trial: `--spill ./nodir/x.spill`, exit 1 "call records could not be written before exit
 * and are lost"). `--db ./nodir/x.db` is refused at start; the spill file now is too.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-spill-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve with a spill file it could not write to', () => {
  const ctx = { env: {}, cwd: dir, invokedAs: 'tokometer' };

  it('is refused before it starts, naming the flag and the folder', () => {
    expect(() => servePlan(ctx, { db: path.join(dir, 'a.db'), spill: 'nodir/x.spill' })).toThrow(`--spill: the folder ${path.join(dir, 'nodir')} does not exist; create it or point --spill elsewhere`);
  });

  it('names the config file, the line of store.spill_path and the field when the config sets it', () => {
    const config = path.join(dir, 'tokometer.yaml');
    writeFileSync(config, 'store: { spill_path: "./missing/calls.spill" }\n');
    expect(() => servePlan(ctx, { config, db: path.join(dir, 'a.db') })).toThrow(
      `${config}:1:22: store.spill_path: the folder ${path.join(dir, 'missing')} does not exist; create it or point store.spill_path elsewhere`,
    );
  });

  /** servePlan's error for a config (written to `name` in the test folder, named by --config as typed) whose spill_path is `spill`, on its line 4. */
  const refusal = (spill: string, name = 'spill.yaml') => {
    writeFileSync(path.join(dir, name), `listen:\n  port: 8787\nstore:\n  spill_path: ${spill}\n`);
    return thrownBy(() => servePlan(ctx, { config: name, db: path.join(dir, 'a.db') }), ConfigError).message;
  };

  it('refuses a spill_path whose folder is a file, at its line', () => {
    writeFileSync(path.join(dir, 'afile'), 'x');
    expect(refusal('./afile/calls.spill')).toBe(`spill.yaml:4:15: store.spill_path: ${path.join(dir, 'afile')} is a file, not a folder; point store.spill_path at a file in a folder that exists`);
  });

  it('refuses a spill_path that is a folder, at its line', () => {
    mkdirSync(path.join(dir, 'spills'), { recursive: true });
    expect(refusal('./spills')).toBe(
      `spill.yaml:4:15: store.spill_path: ${path.join(dir, 'spills')} is a folder, not a file; point store.spill_path at a file in it, for example ${path.join(dir, 'spills', 'tokometer.spill')}`,
    );
  });

  it('refuses a spill_path in a folder this user cannot write to, at its line (no one creates files in /proc/sys)', () => {
    expect(refusal('/proc/sys/calls.spill')).toBe('spill.yaml:4:15: store.spill_path: the folder /proc/sys is not writable by this user, so the spill file cannot be made there; make it writable or point store.spill_path elsewhere');
  });

  it('--spill has no file and line: the flag is named', () => {
    writeFileSync(path.join(dir, 'bfile'), 'x');
    expect(() => servePlan(ctx, { db: path.join(dir, 'a.db'), spill: 'bfile/x.spill' })).toThrow(`--spill: ${path.join(dir, 'bfile')} is a file, not a folder; point --spill at a file in a folder that exists`);
  });

  it('takes a spill file in a folder that exists', () => {
    expect(servePlan(ctx, { db: path.join(dir, 'a.db'), spill: 'x.spill' }).spillPath).toBe(path.join(dir, 'x.spill'));
  });
});
