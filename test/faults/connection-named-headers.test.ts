import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, UPSTREAM_KEY, type Harness } from '../support/proxy-harness.js';
import { startBunProxyOn, type BunProxy } from './bun-driver.js';
import { rawRequest, rawUpstream } from './raw-http.js';

/**
 * What the provider receives, and what the client gets back, through each edge:
 * - a header the client names in `Connection` is hop-by-hop (RFC 9110 §7.6.1: "a proxy or
 *   gateway MUST parse a received Connection header field before a message is forwarded and,
 *   for each connection-option in this field, remove any header or trailer field(s) from the
 *   message with the same name"), in both directions;
 * - a list header sent twice (`anthropic-beta: a` and `anthropic-beta: b`) reaches the
 *   provider as the same list on both edges.
 */
const ANSWER = '{"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';
const BODY = '{"model":"gpt-4o-mini","messages":[]}';
/** The provider's answer: it names x-upstream-hop in its Connection header. */
const UPSTREAM_ANSWER = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: keep-alive, x-upstream-hop\r\nx-upstream-hop: provider-connection-secret\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER}`;
/** Sends a raw request (head + BODY) and returns the raw response head. */
const rawCall = (port: number, head: string) => rawRequest(port, head + BODY);


/** Every value of header `name` in a raw head, in order. */
function values(head: string, name: string): string[] {
  return head.split('\r\n').slice(1).filter((l) => l.toLowerCase().startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).trim());
}

interface Edge {
  port: number;
  secret: string;
  close(): Promise<void>;
}

describe.each(['node', 'bun', 'bun-fetch'] as const)('the %s edge', (edge) => {
  const heads: string[] = [];
  let target: Edge;

  beforeAll(async () => {
    const upstream = await rawUpstream(heads, UPSTREAM_ANSWER);
    const config = `providers:\n  openai: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n`;
    if (edge !== 'node') {
      const bun: BunProxy = await startBunProxyOn(config, upstream, {}, edge === 'bun-fetch' ? { TOKOMETER_UPSTREAM_CLIENT: 'fetch' } : {});
      target = bun;
    } else {
      const h: Harness = await startHarness({ upstream: { reply: () => undefined }, configYaml: () => config });
      target = { port: Number(new URL(h.proxy.url).port), secret: h.secret, close: async () => (await h.close(), await upstream.stop()) };
    }
  }, 30_000);
  afterAll(async () => target?.close());

  const head = (extra: string) =>
    `POST /proxy/openai/v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${target.secret}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n${extra}\r\n`;

  it('never forwards a header the client named in Connection', async () => {
    const answer = await rawCall(target.port, head('connection: keep-alive, x-client-hop\r\nx-client-hop: client-connection-secret\r\nx-end-to-end: kept\r\n'));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const sent = heads.at(-1) as string;
    expect(values(sent, 'x-end-to-end')).toEqual(['kept']);
    expect(values(sent, 'x-client-hop')).toEqual([]);
  });

  it("never relays a header the provider named in its response's Connection", async () => {
    const answer = await rawCall(target.port, head(''));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(values(answer, 'x-upstream-hop')).toEqual([]);
  });

  it('a header sent twice reaches the provider as the same list', async () => {
    expect(await rawCall(target.port, head('anthropic-beta: prompt-caching-2024-07-31\r\nanthropic-beta: context-1m-2025-08-07\r\n'))).toMatch(/^HTTP\/1\.1 200/);
    expect(values(heads.at(-1) as string, 'anthropic-beta').join(', ')).toBe('prompt-caching-2024-07-31, context-1m-2025-08-07');
  });
});
