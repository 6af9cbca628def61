import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat } from './support.js';

/** The harness's own promise: with scope 'test', what a case started is gone before the next case. The cases run in order. */
describe("proxySuite({ scope: 'test' })", () => {
  const suite = proxySuite({ scope: 'test' });
  let first: { url: string; dir: string } | undefined;

  it('starts a proxy on a database in its own folder, in front of the fake provider', async () => {
    const p = await suite.start();
    const secret = await addKey(p.proxy, 'k');
    expect((await chat(p.baseUrl, secret, { maxTokens: 5 })).status).toBe(200);
    expect(suite.fake.requests.map((r) => r.url)).toEqual(['/chat/completions']);
    expect(existsSync(suite.dbPath)).toBe(true);
    expect((await fetch(`${p.proxy.url}/healthz`)).status).toBe(200);
    first = { url: p.proxy.url, dir: suite.dir };
  });

  it('has stopped the last case’s proxy (left running) and removed its folder', async () => {
    expect(first).toBeDefined();
    expect(existsSync(first!.dir)).toBe(false);
    await expect(fetch(`${first!.url}/healthz`)).rejects.toThrow();
    expect(suite.dir).not.toBe(first!.dir);
    expect(existsSync(suite.dir)).toBe(true);
  });
});
