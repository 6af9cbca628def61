import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/proxy/types.js';
import { bodyText, chatCall, fixture } from './fakes.js';

/**
 * A trial: "Provider 'openai' is unreachable (ECONNREFUSED)." did not say where the proxy
 * tried. The 502 body, the record and the log name the base_url's origin (scheme, host,
 * port), never its user info, path or query, which may carry a key.
 */
const ASK = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const YAML = 'providers:\n  openai: { base_url: "http://user:s3cret@upstream.invalid:8443/v1?api-key=sk-query", api_key: "sk-upstream" }\n';

describe('an unreachable provider', () => {
  it('is named with the origin of its base_url in the 502, the record and the log', async () => {
    const f = fixture(() => Promise.reject(new UpstreamError('unreachable', 'ECONNREFUSED')), {}, undefined, YAML);
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(502);
    const body = await bodyText(res);
    const message = "Provider 'openai' at http://upstream.invalid:8443 is unreachable (ECONNREFUSED).";
    expect(JSON.parse(body).error.message).toBe(message);
    expect(f.records[0]?.error).toBe(message);
    expect(f.warnings).toContainEqual({ msg: 'upstream request failed', fields: { provider: 'openai', origin: 'http://upstream.invalid:8443', reason: 'ECONNREFUSED' } });
    for (const secret of ['s3cret', 'sk-query', 'user:', '/v1']) {
      expect(body).not.toContain(secret);
      expect(JSON.stringify(f.warnings)).not.toContain(secret);
    }
  });

  it('that does not answer in time is named the same way', async () => {
    const f = fixture(() => Promise.reject(new UpstreamError('timeout', 'headers timeout')), {}, undefined, YAML);
    const res = await f.handle(chatCall(ASK));
    expect(res.status).toBe(504);
    expect(JSON.parse(await bodyText(res)).error.message).toBe("Provider 'openai' at http://upstream.invalid:8443 did not answer in time (headers timeout).");
  });
});
