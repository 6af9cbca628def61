import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { startBunProxyOn, type BunProxy } from './bun-driver.js';
import { rawRequest, rawUpstream } from './raw-http.js';

/**
 * What the provider receives from the Bun binary (Bun edge + Bun socket client) must be
 * what the client sent, as on the Node edge (node:http keeps req.url and header bytes raw,
 * undici writes them back as latin1): header bytes, byte for byte. (The query and the path
 * are not: Bun hands the edge `request.url` already normalised — a raw `"` percent-encoded,
 * `..` resolved — with no raw request target to read instead; docs/reliability.md.)
 */
const ANSWER = '{"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';

/** Sends `head` + `body` as latin1 bytes and returns the status. */
const rawCall = async (port: number, head: string, body: string): Promise<number> => Number((await rawRequest(port, head + body)).slice(9, 12));

describe('request bytes through the Bun edge and socket client', () => {
  const heads: string[] = [];
  let proxy: BunProxy;
  const BODY = '{"model":"gpt-4o-mini","messages":[]}';
  const head = (target: string, extra = '') =>
    `POST ${target} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${proxy.secret}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n${extra}\r\n`;

  beforeAll(async () => {
    const upstream = await rawUpstream(heads, `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER}`);
    const config = `providers:\n  openai: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`;
    proxy = await startBunProxyOn(config, upstream, {}, { TOKOMETER_UPSTREAM_CLIENT: 'socket' });
  }, 30_000);
  afterAll(async () => proxy?.close());

  it('a header value holding UTF-8 bytes (OpenRouter X-Title "Café") reaches the provider byte for byte, not UTF-8-encoded twice', async () => {
    // "Café" as UTF-8 is 63 61 66 C3 A9; one char per byte here.
    expect(await rawCall(proxy.port, head('/proxy/openai/v1/chat/completions', 'x-title: Caf\xc3\xa9\r\n'), BODY)).toBe(200);
    const sent = heads.at(-1) as string;
    expect(sent).toContain('\r\nx-title: Caf\xc3\xa9\r\n');
  });
});
