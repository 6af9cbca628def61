import { Agent, request, type Dispatcher } from 'undici';
import { sourceOf } from '../proxy/stream-body.js';
import { UpstreamError, type HeaderMap, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../proxy/types.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * The Node upstream client: undici with keep-alive pools per origin. One Agent per
 * connect timeout (undici sets that per dispatcher, and providers may differ).
 */
export function createNodeUpstream(): UpstreamClient {
  const agents = new Map<number, Agent>();
  const agentFor = (connectTimeoutMs: number): Agent => {
    let agent = agents.get(connectTimeoutMs);
    if (!agent) {
      agent = new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: connectTimeoutMs, noDelay: true },
        pipelining: 1,
      });
      agents.set(connectTimeoutMs, agent);
    }
    return agent;
  };
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      try {
        const res = await request(req.url, {
          dispatcher: agentFor(req.connectTimeoutMs),
          method: req.method as 'POST',
          headers: req.headers,
          body: req.body ?? undefined,
          signal: req.cancel.signal(),
          headersTimeout: req.headersTimeoutMs,
          bodyTimeout: req.bodyTimeoutMs,
        });
        return { status: res.statusCode, headers: res.headers as HeaderMap, body: sourceOf(res.body, destroyBody), bytes: async () => new Uint8Array(await res.body.arrayBuffer()) };
      } catch (error) {
        throw toUpstreamError(error);
      }
    },
    close: async () => {
      await Promise.all([...agents.values()].map((a) => a.close()));
    },
  };
}

const noop = () => {};

/**
 * Ends undici's body now, also under a read waiting on the network (its async iterator takes
 * `return` only once data comes): the request is aborted and its connection closed. The
 * abort error it then emits is expected (undici itself listens with a no-op before it destroys).
 */
function destroyBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', noop).destroy();
}

/** Maps undici/socket errors to a safe UpstreamError (code and message only, never request headers). */
export function toUpstreamError(error: unknown): UpstreamError {
  const e = error as { code?: string; cause?: { code?: string }; name?: string };
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? 'unknown error';
  if (TIMEOUT_CODES.has(code)) return new UpstreamError('timeout', code);
  return new UpstreamError('unreachable', code);
}
