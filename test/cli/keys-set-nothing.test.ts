import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/** A trial: `keys set summarizer` with no option printed "Updated key 'summarizer'." and exit 0, changing nothing. */
const { dir, cli } = cliFolder('tokometer-keys-set-nothing-');

describe('keys set without an option', () => {
  it('is refused (exit 2) naming the options, and changes nothing', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'summarizer', '--budget', '5', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'summarizer', '--db', db]);
    expect(res.code).toBe(2);
    expect(res.err).toContain("keys set summarizer changes nothing: give --budget, --period, --alert-at, --soft or --no-soft, --tag, --clear-tags, --provider, --any-provider, --model or --any-model");
    expect(res.out).not.toContain('Updated key');
    const history = await cli(['keys', 'history', 'summarizer', '--db', db]);
    expect(history.out.trim().split('\n')).toHaveLength(1);
  });
});
