import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FaultUpstream, type Fault } from '../support/fault-upstream.js';
import { waitFor } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxy } from './bun-driver.js';

/**
 * Bodies on the Bun edge that take the less common paths: the edge reads a declared
 * request body without touching `request.body`, and the Bun upstream touches a response's
 * `body` only when it is relayed, so a body sent without Content-Length and a response
 * without a body must still come through whole.
 */
describe('request and response bodies on the Bun edge', () => {
  let fault: Fault = { kind: 'status', status: 200, body: '{}' };
  let upstream: FaultUpstream;
  const target = startForSuite(async () => {
    upstream = await new FaultUpstream(() => fault).start();
    return startBunProxy(upstream, {});
  }, 30_000);

  const statuses = (): number[] => {
    const driver = openDriver(target().db, { readonly: true });
    try {
      return driver.prepare('SELECT status FROM calls ORDER BY id').all<{ status: number }>().map((r) => r.status);
    } finally {
      driver.close();
    }
  };
  const url = () => `${target().url}/proxy/openai/chat/completions`;
  const headers = () => ({ authorization: `Bearer ${target().secret}`, 'content-type': 'application/json' });

  it('a request body sent chunked (no Content-Length) reaches the provider byte for byte', async () => {
    fault = { kind: 'status', status: 200, body: '{"model":"gpt-4o-mini","usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}' };
    const sent = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'x'.repeat(20_000)}"}]}`;
    const pieces = [sent.slice(0, 7), sent.slice(7, 9000), sent.slice(9000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const before = statuses().length;
    const res = await fetch(url(), { method: 'POST', headers: headers(), body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    await res.text();
    expect(upstream.requests.at(-1)?.body).toBe(sent);
    await waitFor(() => statuses().length === before + 1, 3000, 'one row');
  });

  it('a response without a body (204) reaches the client empty and is recorded once', async () => {
    fault = { kind: 'status', status: 204, body: '' };
    const before = statuses().length;
    const res = await fetch(url(), { method: 'POST', headers: headers(), body: '{"model":"gpt-4o-mini","messages":[]}' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await waitFor(() => statuses().length === before + 1, 3000, 'one row');
    await new Promise((r) => setTimeout(r, 100));
    expect(statuses().slice(before)).toEqual([204]);
  });
});
