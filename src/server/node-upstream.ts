import { Agent, request } from 'undici';
import { UpstreamError, type HeaderMap, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../proxy/types.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** The Node upstream client: one undici Agent with keep-alive pools per origin. */
export function createNodeUpstream(options: { connectTimeoutMs?: number } = {}): UpstreamClient {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000, noDelay: true },
    pipelining: 1,
  });
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      try {
        const res = await request(req.url, {
          dispatcher: agent,
          method: req.method as 'POST',
          headers: req.headers,
          body: req.body ?? undefined,
          signal: req.signal,
          headersTimeout: req.headersTimeoutMs,
          bodyTimeout: req.bodyTimeoutMs,
        });
        return { status: res.statusCode, headers: res.headers as HeaderMap, body: res.body };
      } catch (error) {
        throw toUpstreamError(error);
      }
    },
    close: () => agent.close(),
  };
}

/** Maps undici/socket errors to a safe UpstreamError (code and message only, never request headers). */
export function toUpstreamError(error: unknown): UpstreamError {
  const e = error as { code?: string; cause?: { code?: string }; name?: string };
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? 'unknown error';
  if (TIMEOUT_CODES.has(code)) return new UpstreamError('timeout', code);
  return new UpstreamError('unreachable', code);
}
