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
