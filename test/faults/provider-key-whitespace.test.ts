import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, UPSTREAM_KEY, type Harness } from '../support/proxy-harness.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * A provider key read with its line end (a secret file mounted as an environment
 * variable, `api_key: "${OPENAI_API_KEY}"`) cannot go into a header. Today every call then
 * answers 502 "Provider 'openai' is unreachable (UND_ERR_INVALID_ARG)": the provider is
 * fine, the key is not. Either the key is used without its surrounding whitespace, or the
 * answer says the configured API key is the problem.
 */
describe('a provider API key with a trailing line break', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      upstream: { reply: () => ({ body: CHAT }) },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}\\n" }\nstore: { flush_interval_ms: 5 }\n`,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is either used without the line break or reported as a bad API key, not as an unreachable provider', async () => {
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    if (res.status !== 200) {
      expect(text).not.toMatch(/unreachable/);
      expect(text).toMatch(/api[_ ]key/i);
    }
  });
});
