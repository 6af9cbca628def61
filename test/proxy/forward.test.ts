import { describe, expect, it } from 'vitest';
import { clientHeaders, upstreamHeaders } from '../../src/proxy/forward.js';

describe('headers across the proxy', () => {
  it("sends the provider none of the client's credentials, hop-by-hop headers or tags, and asks for an uncompressed answer", () => {
    const out = upstreamHeaders({ authorization: 'Bearer mk_1', 'x-api-key': 'mk_2', 'x-metering-tags': '{}', connection: 'keep-alive', 'content-length': '12', 'accept-encoding': 'gzip', 'content-type': 'application/json', 'openai-beta': 'x' });
    expect(out).toEqual({ 'content-type': 'application/json', 'openai-beta': 'x', 'accept-encoding': 'identity' });
  });

  it('sends no method override nor response field mask: the provider would run another method than the one metered (a PUT forwarded unmetered, run as POST :generateContent), or answer without its usage', () => {
    const out = upstreamHeaders({ 'content-type': 'application/json', 'x-http-method-override': 'POST', 'x-http-method': 'POST', 'x-method-override': 'POST', 'x-goog-fieldmask': 'candidates' });
    expect(out).toEqual({ 'content-type': 'application/json', 'accept-encoding': 'identity' });
  });

  it("gives the client the provider's headers without hop-by-hop ones, and without Content-Length where the body it describes is not the one sent", () => {
    const upstream = { 'content-type': 'text/event-stream', 'content-length': '100', connection: 'keep-alive', 'x-request-id': 'req_1', 'set-cookie': ['a=1', 'b=2'] };
    expect(clientHeaders(upstream, false)).toEqual({ 'content-type': 'text/event-stream', 'content-length': '100', 'x-request-id': 'req_1', 'set-cookie': ['a=1', 'b=2'] });
    // A stripped usage chunk changes the body's length.
    expect(clientHeaders(upstream, true)['content-length']).toBeUndefined();
    // Transfer-Encoding beside it overrides it (RFC 9112 §6.3): the body was framed by chunks, not by that length.
    const both = clientHeaders({ ...upstream, 'transfer-encoding': 'chunked' }, false);
    expect(both['content-length']).toBeUndefined();
    expect(both['transfer-encoding']).toBeUndefined();
  });
});
