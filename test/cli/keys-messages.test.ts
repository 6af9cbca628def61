import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/** Messages of `keys create` and `keys set` a new-user trial found misleading. */
const { dir, cli } = cliFolder('tokometer-keys-messages-');

describe('keys create', () => {
  it('prints the copy-paste line with the full secret, as shown above it', async () => {
    const res = await cli(['keys', 'create', 'app', '--db', path.join(dir(), 'k.db')]);
    expect(res.code).toBe(0);
    const secret = /^ {2}(mk_[A-Za-z0-9]{32})$/m.exec(res.out)?.[1];
    expect(secret).toBeDefined();
    expect(res.out).toContain(`OPENAI_BASE_URL=http://127.0.0.1:8787/proxy/openai OPENAI_API_KEY=${secret}\n`);
  });
});

describe('keys set under a config that declares the budget', () => {
  it("prints the budget serve enforces (the config's), naming the stored one it overrides", async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'keys:\n  summarizer: { budget: { limit_usd: 500, period: month } }\n');
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'summarizer', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'summarizer', '--budget', '10', '--db', db]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('budget $500.00/month (config; stored $10.00/month is not enforced)');
    expect(res.out).not.toMatch(/budget \$10\.00\/month(?! is not enforced)/);
    expect(res.err).toContain('note: keys.summarizer.budget in the config overrides the stored budget');
  });

  it('prints the stored budget when the config does not declare one', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'summarizer', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'summarizer', '--budget', '10', '--db', db]);
    expect(res.out).toContain('budget $10.00/month');
    expect(res.out).not.toContain('(config');
    expect(res.err).toBe('');
  });
});
