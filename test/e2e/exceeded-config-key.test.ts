import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatReply } from '../budget/support.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

/**
 * Through the real proxy: a key whose budget the config declares (keys.NAME.budget, which
 * overrides the stored one) is told to raise it in the config, not with `keys set`; a key
 * with a stored budget is told `keys set` (budget/errors.ts raiseHint, proxy/start.ts wiring).
 */
describe('a spent key budget says where to raise it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      upstream: { reply: chatReply },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "sk-test-upstream-0123456789abcdef" }\nstore: { flush_interval_ms: 5 }\nkeys:\n  test-key:\n    budget: { limit_usd: 0.000001, period: month }\n`,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (secret: string) => {
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return { status: res.status, message: ((await res.json()) as { error?: { message: string } }).error?.message };
  };

  it('config-declared: raise keys.NAME.budget.limit_usd in the config', async () => {
    expect((await call(h.secret)).status).toBe(200);
    const refused = await call(h.secret);
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/^Budget 'test-key' exhausted: .*; raise keys\.test-key\.budget\.limit_usd in the config and restart serve$/);
  });

  it('stored: raise it with tokometer keys set NAME --budget USD', async () => {
    const secret = await h.createKey('stored-key');
    await h.proxy.store.keys.update('stored-key', { budget: { limitNano: 1000, period: 'month', alertAt: [], soft: false } });
    await h.proxy.keys.reload();
    expect((await call(secret)).status).toBe(200);
    const refused = await call(secret);
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/^Budget 'stored-key' exhausted: .*; raise it with `tokometer keys set stored-key --budget USD`$/);
  });
});
