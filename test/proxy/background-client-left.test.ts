import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLoopback, type LoopbackServer } from '../support/loopback-server.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const USAGE = { input_tokens: 1000, input_tokens_details: { cached_tokens: 200 }, output_tokens: 2000, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 3000 };
// gpt-4o-mini per token: input 150, cached input 75, output 600 nano-USD (as test/e2e/openai-background.test.ts):
//   800 × 150 + 200 × 75 + 2000 × 600 = 1,335,000 nano-USD.
const COST_NANO = 1_335_000;

const response = (id: string, status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, object: 'response', created_at: 1767225600, status, background: true, model: MODEL, output: [], usage: null, ...extra });

/**
 * A provider that accepts a background response at once (it runs whatever happens to the
 * connection, as OpenAI's background mode does) but takes 300 ms to send the `queued` answer.
 */
describe('a background response whose client leaves before the queued answer arrives', () => {
  let provider: LoopbackServer;
  let h: Harness;
  const posts: string[] = [];
  beforeAll(async () => {
    provider = await listenLoopback((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/responses') {
          // Accepted: the response now runs on the provider.
          posts.push('resp_left_1');
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(response('resp_left_1', 'queued'));
          }, 300);
          return;
        }
        if (req.method === 'GET' && req.url === '/responses/resp_left_1') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(response('resp_left_1', 'completed', { usage: USAGE }));
          return;
        }
        res.writeHead(404).end();
      });
    });
    h = await startHarness({
      upstream: { reply: () => undefined },
      configYaml: () => `providers:\n  openai: { base_url: "${provider.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\nlimits: { background_poll_ms: 20 }\n`,
    });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await provider?.stop();
  });

  it('is metered with the usage the provider bills for it, not as an input-only estimate', async () => {
    const client = new AbortController();
    const call = fetch(`${h.baseUrl()}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'research this', background: true, max_output_tokens: 4000 }),
      signal: client.signal,
    }).catch(() => null);
    await waitFor(() => posts.length === 1, 5000, 'the provider accepted the background response');
    // The client goes away (a crash, a short client timeout) before the answer with the id.
    await new Promise((r) => setTimeout(r, 50));
    client.abort();
    await call;
    await waitFor(() => h.records.length === 1, 5000, 'the call recorded');
    // Give a follower time to read the response's end, if the proxy follows it.
    await new Promise((r) => setTimeout(r, 600));
    const rows = h.rows();
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    // The provider ran (and bills) the whole response: 1000 in, 2000 out.
    expect({ output_tokens: row.output_tokens, cost_nano: row.cost_nano, outcome: row.outcome }).toMatchObject({ output_tokens: 2000, cost_nano: COST_NANO });
  });
});
