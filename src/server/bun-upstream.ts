import { deadlinesByLength } from '../lib/deadlines.js';
import { UpstreamError, type ChunkRead, type ChunkSource, type HeaderMap, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../proxy/types.js';

/**
 * The Bun upstream client: Bun's native fetch (keep-alive pooled by default).
 * Asks Bun not to decompress, so bytes and encoding headers reach the client as the provider sent them.
 *
 * Known loss (Bun 1.4.5, a runtime behaviour this client cannot work around): when the
 * provider's connection fails mid-body (cut, reset), body bytes fetch already received but
 * the relay had not read yet are dropped (erroring a web stream discards its queue), so
 * frames the provider sent are neither relayed nor metered. A relay that keeps up loses
 * nothing; one that lags (a loaded proxy) loses what it lagged by. The socket client
 * (bun-socket-upstream.ts, the default) keeps them: test/faults/bun-socket-client.test.ts.
 */
export function createBunUpstream(): UpstreamClient {
  // Timeouts share one timer per length (lib/deadlines.ts): AbortSignal.timeout +
  // AbortSignal.any cost ~11 µs of CPU per call on the binary, a setTimeout per call ~2.
  const deadlines = deadlinesByLength();
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      let timedOut = false;
      const headersQueue = deadlines(req.headersTimeoutMs);
      const timer = headersQueue.add(() => {
        timedOut = true;
        req.cancel.abort(new UpstreamError('timeout', 'headers timeout'));
      });
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body as BodyInit | null,
          signal: req.cancel.signal(),
          // Bun-specific fetch options: keep the connection pooled, never decompress for us.
          ...({ keepalive: true, decompress: false } as object),
        } as RequestInit);
      } catch (error) {
        headersQueue.cancel(timer);
        if (timedOut) throw new UpstreamError('timeout', 'headers timeout');
        const e = error as { code?: string; name?: string };
        throw new UpstreamError('unreachable', e?.code ?? e?.name ?? 'connection failed');
      }
      headersQueue.cancel(timer);
      // Bun's Headers.toJSON(): one native call (set-cookie as an array), vs a JS callback per header.
      const headers = (res.headers as Headers & { toJSON(): HeaderMap }).toJSON();
      // bytes(): the whole body within one body timeout (a small JSON body arrives in one or a few chunks).
      const bytes = () => deadlines(req.bodyTimeoutMs).race(res.bytes(), () => new UpstreamError('timeout', 'idle timeout between chunks'));
      return { status: res.status, headers, body: chunkSource(res), bytes };
    },
    close: async () => {},
  };
}

/** What reading an empty body (a 204, a HEAD) gives at once. */
const EMPTY_READ: Promise<ChunkRead> = Promise.resolve({ done: true });

/**
 * The body as a ChunkSource: `read` is the native reader's own read (no wrapper, no
 * promise of ours per chunk); the relay bounds the idle time between chunks. The
 * reader is taken at the first read, so `bytes()` can still read a body never streamed,
 * and `res.body` is not touched before: Bun builds its ReadableStream (and the stream's
 * source, promises and closures) on first access, which a small JSON answer read with
 * `bytes()` never needs.
 */
function chunkSource(res: Response): ChunkSource {
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let cancelled = false;
  return {
    read: () => {
      if (reader === null) {
        if (cancelled || res.body === null) return EMPTY_READ;
        reader = res.body.getReader();
      }
      return reader.read() as Promise<ChunkRead>;
    },
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      if (reader) reader.cancel().catch(() => {});
      else if (!res.bodyUsed) res.body?.cancel().catch(() => {});
    },
  };
}
