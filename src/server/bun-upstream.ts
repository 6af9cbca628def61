import { UpstreamError, type HeaderMap, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../proxy/types.js';

/**
 * The Bun upstream client: Bun's native fetch (keep-alive pooled by default).
 * Asks Bun not to decompress, so bytes and encoding headers reach the client as the provider sent them.
 */
export function createBunUpstream(): UpstreamClient {
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      const timeout = AbortSignal.timeout(req.headersTimeoutMs);
      const signal = AbortSignal.any([req.signal, timeout]);
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body as BodyInit | null,
          signal,
          // Bun-specific fetch options: keep the connection pooled, never decompress for us.
          ...({ keepalive: true, decompress: false } as object),
        } as RequestInit);
      } catch (error) {
        if (timeout.aborted && !req.signal.aborted) throw new UpstreamError('timeout', 'headers timeout');
        const e = error as { code?: string; name?: string };
        throw new UpstreamError('unreachable', e?.code ?? e?.name ?? 'connection failed');
      }
      const headers: HeaderMap = {};
      res.headers.forEach((value, name) => {
        if (name === 'set-cookie') return;
        headers[name] = value;
      });
      const cookies = (res.headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.() ?? [];
      if (cookies.length > 0) headers['set-cookie'] = cookies;
      return { status: res.status, headers, body: idleGuard(res.body, req.bodyTimeoutMs) };
    },
    close: async () => {},
  };
}

/** Yields the body's chunks, failing when no chunk arrives for `idleMs`. */
async function* idleGuard(body: ReadableStream<Uint8Array> | null, idleMs: number): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UpstreamError('timeout', 'idle timeout between chunks')), idleMs);
      });
      try {
        const { value, done } = await Promise.race([reader.read(), idle]);
        if (done) return;
        yield value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
