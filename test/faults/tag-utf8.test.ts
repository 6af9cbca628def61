import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTags } from '../../src/proxy/tags.js';
import { UPSTREAM_KEY, startHarness, type Harness } from '../support/proxy-harness.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * HTTP header values travel as bytes, and both runtimes hand them to JavaScript one byte per
 * character (Latin-1). An app that sends `X-Metering-Tags: {"tenant_id":"café-münchen"}` as
 * UTF-8 (curl, Python requests, Go) must be metered as `café-münchen`, not as the mojibake
 * `cafÃ©-mÃ¼nchen`: otherwise a tag budget on that tenant never matches its calls, and reports
 * and `--where` show a name nobody sent.
 */

/** `text` as its UTF-8 bytes, one character per byte: what a runtime gives for a raw UTF-8 header. */
const asWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('X-Metering-Tags sent as raw UTF-8', () => {
  it('parseTags reads the value as UTF-8: café-münchen, 東京', () => {
    const r = parseTags(asWire('{"tenant_id":"café-münchen","city":"東京"}'));
    expect(r.ok && r.value).toEqual({ tenant_id: 'café-münchen', city: '東京' });
  });

  it('the 4 KiB bound counts the bytes sent: five tags of 200 CJK characters (3,036 bytes) are accepted, 4,104 bytes are not', () => {
    const value = '東'.repeat(200);
    const header = JSON.stringify(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, value])));
    expect(Buffer.byteLength(header, 'utf8')).toBe(3_036);
    const r = parseTags(asWire(header));
    expect(r.ok && Object.values(r.value)).toEqual([value, value, value, value, value]);
    // 1,365 × 3 = 4,095 bytes of value + 9 of JSON around it = 4,104.
    const over = JSON.stringify({ ab: '東'.repeat(1365) });
    expect(Buffer.byteLength(over, 'utf8')).toBe(4_104);
    expect(parseTags(asWire(over))).toEqual({ ok: false, error: 'X-Metering-Tags is 4104 bytes long (at most 4096)' });
  });

  it('a header that is not UTF-8 (Latin-1 bytes) is kept as sent', () => {
    // "caf\xe9" is not a UTF-8 sequence: it stays the Latin-1 text the runtime gave.
    const r = parseTags('{"tenant_id":"caf\u00e9"}');
    expect(r.ok && r.value).toEqual({ tenant_id: 'café' });
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
  - { name: closed-tenant, match: { tenant_id: café-münchen }, limit_usd: 0, period: month }
`,
      });
    });
    afterAll(async () => {
      await h?.close();
    });

    /** POST /chat/completions with the tags header written as raw UTF-8 bytes. */
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
        // A Buffer body: Node then writes the head as Latin-1, so the header's bytes are exactly asWire's.
        req.end(Buffer.from(body));
      });

    it('a $0 tag budget on tenant café-münchen refuses its calls (429)', async () => {
      const r = await post('{"tenant_id":"café-münchen"}');
      expect(r.status).toBe(429);
      expect(JSON.parse(r.body).error.budget).toMatchObject({ name: 'closed-tenant' });
    });

    it('another tenant is served and recorded with its tag as sent', async () => {
      const r = await post('{"tenant_id":"zürich"}');
      expect(r.status).toBe(200);
      const deadline = Date.now() + 2000;
      while (!h.rows().some((row) => row.status === 200) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      const served = h.rows().find((row) => row.status === 200);
      expect(served!.tags).toEqual({ tenant_id: 'zürich' });
    });
  });
});
