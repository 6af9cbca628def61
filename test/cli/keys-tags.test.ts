import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/spawn-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-keys-tags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keys create --tag', () => {
  it('refuses control characters and over-long values in a tag value (exit 2), as the config and admin API do', async () => {
    const control = await runCli('node', ['keys', 'create', 'app', '--tag', 'feature=sum\u001b]52;c;eA==\u0007', '--db', path.join(dir, 'k.db')], { cwd: dir });
    expect(control.code).toBe(2);
    expect(control.stderr).toContain("--tag: the value of 'feature' has a control character (U+001B at position 3); control characters (U+0000-U+001F, U+007F-U+009F) are not allowed");
    expect(control.stderr).not.toContain('\u001b');
    const long = await runCli('node', ['keys', 'create', 'app', '--tag', `feature=${'x'.repeat(257)}`, '--db', path.join(dir, 'k.db')], { cwd: dir });
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("--tag: the value of 'feature' is 257 characters long (at most 256)");
    const ok = await runCli('node', ['keys', 'create', 'app', '--tag', 'feature=summarizer', '--db', path.join(dir, 'k.db')], { cwd: dir });
    expect(ok.code).toBe(0);
  });
});
