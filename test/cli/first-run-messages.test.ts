import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * Messages a new user meets on a first run that said something else than the command
 * does (review msgs). Each test drives the real command parser in-process, in a fresh
 * temp folder, as a user would type the command there.
 */

const { dir, cli } = cliFolder('tokometer-first-run-');

const writeConfig = (text: string) => writeFileSync(path.join(dir(), 'tokometer.yaml'), text);

describe('config check on a store.spill_path whose folder does not exist', () => {
  it('fails with the error serve stops on, exit 2', async () => {
    writeConfig('store: { spill_path: "./missing/calls.spill" }\n');
    const expected = `tokometer: store.spill_path: the folder ${path.join(dir(), 'missing')} does not exist; create it or point store.spill_path elsewhere\n`;

    const serve = await cli(['serve', '--port', '0']);
    expect(serve).toEqual({ code: 2, out: '', err: expected });

    const check = await cli(['config', 'check']);
    expect(check).toEqual({ code: 2, out: '', err: expected });
  });

  it('passes once the folder exists', async () => {
    writeConfig('store: { spill_path: "./spill/calls.spill" }\n');
    mkdirSync(path.join(dir(), 'spill'));
    const check = await cli(['config', 'check']);
    expect(check.code).toBe(0);
    expect(check.out.split('\n')[0]).toBe('config OK: tokometer.yaml');
  });
});
