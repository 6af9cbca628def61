import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/proxy/types.js';
import { upstreamFailure } from '../../src/proxy/upstream-failure.js';

const reached = (error: unknown) => upstreamFailure('openai', error, 'request').reachedProvider;

/**
 * Whether a failed call can have reached the provider decides whether it is recorded with an
 * estimated cost and charged to its budgets, or as nothing billed.
 */
describe('upstreamFailure: can the provider have seen the request?', () => {
  it('no, when the connection never opened: refused, no such host, connect timeout (undici)', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(reached(new UpstreamError('unreachable', code)), code).toBe(false);
    }
  });

  it('no, when the client says no byte was written (the socket client: connect timeout, abort while connecting, TLS, a header it refuses to send)', () => {
    expect(reached(new UpstreamError('timeout', 'connect timeout', true))).toBe(false);
    expect(reached(new UpstreamError('unreachable', 'AbortError', true))).toBe(false);
    // undici refuses an invalid header (a provider key ending in a newline, say) before sending anything.
    expect(reached(new UpstreamError('unreachable', 'UND_ERR_INVALID_ARG'))).toBe(false);
  });

  it("no, when the provider's certificate did not verify (OpenSSL's and Node's codes)", () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      expect(reached(new UpstreamError('unreachable', code)), code).toBe(false);
    }
  });

  it('yes, once the request may have been written: a reset, a closed connection, a headers timeout, an abort after sending', () => {
    for (const error of [new UpstreamError('unreachable', 'ECONNRESET'), new UpstreamError('unreachable', 'UND_ERR_SOCKET'), new UpstreamError('timeout', 'headers timeout'), new UpstreamError('unreachable', 'AbortError'), new Error('anything else')]) {
      expect(reached(error), error.message).toBe(true);
    }
  });
});
