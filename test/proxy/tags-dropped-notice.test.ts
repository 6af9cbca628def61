import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatReply } from '../budget/support.js';
import { UPSTREAM_KEY, startHarness, type Harness } from '../support/proxy-harness.js';

/**
 * `tags.on_invalid: drop` records a call with a bad `X-Metering-Tags` header without its
 * tags, so it escapes the tag budgets it would match: serve says so (a warning at most once
 * a minute per key) and counts it on /metrics (tokometer_tags_dropped_total by key).
 */
describe('tags dropped under tags.on_invalid: drop', () => {
  let h: Harness;
  let now = Date.parse('2026-12-07T08:00:00Z');
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log = { info: () => {}, error: () => {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };

  beforeAll(async () => {
    h = await startHarness({
      upstream: { reply: chatReply },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\ntags: { on_invalid: drop }\nbudgets:\n  - { name: free-daily, match: { user_tier: free }, limit_usd: 1, period: day }\n`,
      overrides: { log, clock: () => now },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (tagsHeader: string) => {
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-metering-tags': tagsHeader },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return res.status;
  };
  const dropWarnings = () => warnings.filter((w) => /X-Metering-Tags/.test(w.msg));
  const droppedTotal = async () => {
    const text = await (await fetch(`${h.proxy.url}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith('tokometer_tags_dropped_total'));
  };

  it('warns once a minute per key, naming the key and what was wrong, and counts every dropped header', async () => {
    const secretValue = 'a-value-that-must-not-be-logged-in-full';
    // A valid header is no news.
    expect(await call('{"user_tier":"free"}')).toBe(200);
    expect(dropWarnings()).toHaveLength(0);

    expect(await call(`{"user_tier":"free","user_id":{"x":1},"note":"${secretValue}"}`)).toBe(200);
    expect(await call('not json at all')).toBe(200);
    expect(await call('{"user_tier":"free","user_id":{"x":1}}')).toBe(200);
    // Three dropped headers within a minute: one warning, about the first.
    expect(dropWarnings()).toHaveLength(1);
    const first = dropWarnings()[0]!;
    const line = JSON.stringify(first);
    expect(line).toContain('test-key');
    expect(line).toContain('recorded without tags');
    expect(first.fields).toMatchObject({ key: 'test-key', problem: 'X-Metering-Tags: value of "user_id" must be a string, number or boolean, got object', dropped_since_last_warning: 1 });
    expect(line).not.toContain(secretValue);
    // The calls were recorded with no request tags.
    expect(h.rows().slice(1).map((r) => r.tags)).toEqual([{}, {}, {}]);
    expect(await droppedTotal()).toEqual(['tokometer_tags_dropped_total{key="test-key"} 3']);

    // 61 s later the next dropped header is warned about again, with the count since the last warning.
    now += 61_000;
    expect(await call('not json at all')).toBe(200);
    expect(dropWarnings()).toHaveLength(2);
    const second = JSON.stringify(dropWarnings()[1]);
    expect(second).toContain('not valid JSON');
    expect(second).not.toContain('not json at all');
    expect(dropWarnings()[1]!.fields).toMatchObject({ key: 'test-key', dropped_since_last_warning: 3 });
    expect(await droppedTotal()).toEqual(['tokometer_tags_dropped_total{key="test-key"} 4']);
  });
});
