import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTagFlags } from '../../src/cli/key-flags.js';
import { parseConfigText } from '../../src/config/load.js';
import { mergeTags, parseTags } from '../../src/proxy/tags.js';
import { parseWhere } from '../../src/report/where.js';
import { UPSTREAM_KEY, startHarness, waitFor, type Harness } from '../support/proxy-harness.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * The same text can reach tokometer as different code points: "ü" is U+00FC when composed
 * (NFC: what most keyboards and JSON libraries send) and "u" + U+0308 when decomposed (NFD:
 * macOS file names, some input methods). Tag values are normalised to NFC where they come in,
 * so that `user_id` "ü4" is one budget instance and one report row, however it was typed;
 * otherwise a client could double a per-user cap by sending the other form.
 */
const NFC = '\u00fc4';
const NFD = 'u\u03084';

/** `text` as its UTF-8 bytes, one character per byte: what a runtime gives for a raw UTF-8 header. */
const asWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('tag values are normalised to NFC', () => {
  it('parseTags: decomposed text, its JSON escapes and its raw UTF-8 bytes all give the composed value', () => {
    expect(NFD).not.toBe(NFC);
    for (const header of [`{"user_id":"${NFD}"}`, '{"user_id":"u\\u03084"}', asWire(`{"user_id":"${NFD}"}`)]) {
      const r = parseTags(header);
      expect(r.ok && r.value).toEqual({ user_id: NFC });
    }
  });

  it('parseTags: an ASCII value is returned as parsed, and an NFC value unchanged', () => {
    expect(parseTags('{"feature":"summarizer","n":4}')).toEqual({ ok: true, value: { feature: 'summarizer', n: '4' } });
    expect(parseTags(`{"user_id":"${NFC}","city":"東京"}`)).toEqual({ ok: true, value: { user_id: NFC, city: '東京' } });
  });

  it('the 256-character bound counts the normalised value: 256 decomposed ü (512 code points) are accepted as 256', () => {
    const r = parseTags(JSON.stringify({ user_id: 'u\u0308'.repeat(256) }));
    expect(r.ok && r.value.user_id).toBe('\u00fc'.repeat(256));
  });

  it("mergeTags: a key's fixed tag stored decomposed wins as the composed value", () => {
    expect(mergeTags({ user_id: 'x' }, { user_id: NFD, tenant_id: 'acme' })).toEqual({ user_id: NFC, tenant_id: 'acme' });
  });

  it("config: a key's tags and a budget's match are normalised as the header's values are", () => {
    const config = parseConfigText(
      `keys:\n  app: { tags: { tenant_id: "${NFD}" } }\nbudgets:\n  - { name: one-user, match: { user_id: "${NFD}" }, limit_usd: 1 }\n`,
      { file: 'test.yaml', env: {} },
    );
    expect(config.keys?.app?.tags).toEqual({ tenant_id: NFC });
    expect(config.budgets?.[0]?.match).toEqual({ user_id: NFC });
  });

  it('report --where: a value typed decomposed selects the composed value stored', () => {
    expect(parseWhere(`user_id=${NFD}`, '--where')).toEqual({ key: 'user_id', op: '=', value: NFC });
    expect(parseWhere('user_id!=chat', '--where')).toEqual({ key: 'user_id', op: '!=', value: 'chat' });
  });

  it('keys create --tag: a decomposed value is stored composed', () => {
    expect(parseTagFlags([`tenant_id=${NFD}`, 'feature=chat'])).toEqual({ tenant_id: NFC, feature: 'chat' });
  });

  describe('through the proxy', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        upstream: { reply: () => ({ body: CHAT }) },
        configYaml: (url) => `
providers:
  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }
store: { flush_interval_ms: 5 }
budgets:
  - { name: free-daily, per: user_id, limit_usd: 0.000001, period: day }
`,
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    /** POST /chat/completions with `tags` written as raw UTF-8 bytes. */
    const post = (tags: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        const url = new URL(`${h.baseUrl()}/chat/completions`);
        const req = request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-metering-tags': asWire(tags) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(Buffer.from(body));
      });

    it('user "ü4" sent composed, then decomposed, counts against one per-user instance: the second call is refused', async () => {
      expect((await post(`{"user_id":"${NFC}"}`)).status).toBe(200);
      await waitFor(() => h.records.length === 1, 2000, 'the first call to be recorded');
      const second = await post(`{"user_id":"${NFD}"}`);
      expect(second.status).toBe(429);
      expect(JSON.parse(second.body).error.message).toContain(`free-daily`);
      expect(h.rows().map((r) => r.tags.user_id)).toEqual([NFC, NFC]);
    });
  });
});
