import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatReply } from '../budget/support.js';
import { parseTags } from '../../src/proxy/tags.js';
import { UPSTREAM_KEY, startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

/**
 * `X-Metering-Tags: {"feature":"a","feature":"b"}`: JSON.parse keeps the last value without a
 * word, so the spend would go to a tag the app's author did not mean. A repeated key is a bad
 * tags header like the others (SPEC §4): refused with 400 naming the key (nothing forwarded,
 * recorded as refused), or dropped under `tags.on_invalid: drop`. Keys compare as JSON reads
 * them: `"fe\u0061ture"` is `"feature"` written another way.
 */
const errorOf = (header: string) => {
  const r = parseTags(header);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('parseTags: a repeated tag key', () => {
  it('is refused, naming the key and what to do', () => {
    expect(errorOf('{"feature":"a","feature":"b"}')).toBe('tag "feature" appears twice in X-Metering-Tags; send each key once');
    expect(errorOf('{"user_tier":"free", "feature":"a","n":1,"feature":"a"}')).toBe('tag "feature" appears twice in X-Metering-Tags; send each key once');
    expect(errorOf('{"feature":"a","feature":"b","feature":"c"}')).toBe('tag "feature" appears 3 times in X-Metering-Tags; send each key once');
    // Whitespace around the colon, numbers and booleans: still the same key.
    expect(errorOf('{ "tier" : 1 ,\t"tier":true }')).toBe('tag "tier" appears twice in X-Metering-Tags; send each key once');
    expect(errorOf('{"__proto__":"a","__proto__":"b"}')).toBe('tag "__proto__" appears twice in X-Metering-Tags; send each key once');
  });

  it('written another way (a JSON escape) is the same key', () => {
    expect(errorOf('{"feature":"a","fe\\u0061ture":"b"}')).toBe('tag "feature" appears twice in X-Metering-Tags; send each key once');
    expect(errorOf('{"user:id":"a","user\\u003aid":"b"}')).toBe('tag "user:id" appears twice in X-Metering-Tags; send each key once');
  });

  it('"café" composed and decomposed is refused too: a tag key is ASCII only, so the header is refused for its key', () => {
    // NFC cannot make two distinct valid (ASCII) keys equal; a non-ASCII key is refused whatever it repeats.
    expect(errorOf('{"caf\u00e9":"a","cafe\u0301":"b"}')).toMatch(/^X-Metering-Tags: tag "caf(é|é)" has an invalid key/);
  });

  it('a header without repeats is read as before, colons and braces in keys and values included', () => {
    expect(parseTags('{"feature":"summarizer","user_tier":"free","tenant_id":"t_8472"}')).toEqual({ ok: true, value: { feature: 'summarizer', user_tier: 'free', tenant_id: 't_8472' } });
    const tricky = '{"org:team":"a:b","at":"12:30","q":"\\"feature\\":\\"x\\"","b":"{\\"feature\\":1}","feature":"x"}';
    expect(parseTags(tricky)).toEqual({ ok: true, value: { 'org:team': 'a:b', at: '12:30', q: '"feature":"x"', b: '{"feature":1}', feature: 'x' } });
    expect(parseTags('{"feature" : "a" , "Feature" : "b"}')).toEqual({ ok: true, value: { feature: 'a', Feature: 'b' } });
  });
});

describe('a repeated tag key through the proxy', () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

  describe('tags.on_invalid: reject (the default)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ upstream: { reply: chatReply } });
    });
    afterAll(async () => {
      await h?.close();
    });
    const post = (tags: string) =>
      fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-metering-tags': tags }, body });

    it('answers 400 naming the key, forwards nothing and records the call as refused', async () => {
      const seen = h.fake.requests.length;
      const res = await post('{"feature":"summarizer","user_tier":"free","feature":"chat"}');
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(json.error).toMatchObject({ message: 'tag "feature" appears twice in X-Metering-Tags; send each key once', type: 'invalid_request_error' });
      expect(h.fake.requests.length).toBe(seen);
      await waitFor(() => h.records.length === 1, 2000, 'the refused call to be recorded');
      expect(h.records[0]).toMatchObject({ outcome: 'refused', status: 400, tags: {} });
    });

    it('a repeat written as a JSON escape is refused the same way', async () => {
      const res = await post('{"feature":"a","fe\\u0061ture":"b"}');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('tag "feature" appears twice in X-Metering-Tags; send each key once');
    });

    it('a header without repeats still reaches the provider with its tags recorded', async () => {
      const seen = h.fake.requests.length;
      const res = await post('{"feature":"summarizer","user_tier":"free","at":"12:30"}');
      expect(res.status).toBe(200);
      await res.text();
      expect(h.fake.requests.length).toBe(seen + 1);
      expect(h.rows().at(-1)?.tags).toEqual({ feature: 'summarizer', user_tier: 'free', at: '12:30' });
    });
  });

  describe('tags.on_invalid: drop', () => {
    let h: Harness;
    const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const log = { info: () => {}, error: () => {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };
    beforeAll(async () => {
      h = await startHarness({
        upstream: { reply: chatReply },
        configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\ntags: { on_invalid: drop }\n`,
        overrides: { log },
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('forwards the call without its request tags and says which key repeats', async () => {
      const res = await fetch(`${h.baseUrl()}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-metering-tags': '{"feature":"a","feature":"b"}' },
        body,
      });
      expect(res.status).toBe(200);
      await res.text();
      expect(h.rows().map((r) => r.tags)).toEqual([{}]);
      expect(warnings.find((w) => /X-Metering-Tags dropped/.test(w.msg))?.fields).toMatchObject({ problem: 'tag "feature" appears twice in X-Metering-Tags; send each key once' });
    });
  });
});
