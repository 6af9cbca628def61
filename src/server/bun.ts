import { Deadlines } from '../lib/deadlines.js';
import type { IncomingCall, OutgoingResponse, StreamBody } from '../proxy/types.js';
import { bodyTimeoutBody, ClientFault, INTERNAL_ERROR_BODY } from './client-fault.js';
import { hasNoBody } from './http1-response.js';
import { loadTls } from './tls.js';
import { CUT_SETTLE_MS, DEFAULT_CLIENT_BODY_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, type RunningServer, type ServeOptions } from './types.js';

const bun = (globalThis as unknown as { Bun: BunEdge.Api }).Bun;

/**
 * The Bun edge: Bun.serve in, a web Response out, streaming the relay as it produces
 * chunks. Bun's idle timeout would also cut a call whose provider thinks for longer
 * than it, so it is switched off per request while the call runs (the body has its own
 * idle timer, the provider's wait has the upstream timeouts) and restored for keep-alive
 * once the response is written. Unfinished headers are cut by uWebSockets after 10 s.
 */
export async function startBunServer(options: ServeOptions): Promise<RunningServer> {
  const bodyTimeoutMs = options.clientBodyTimeoutMs ?? DEFAULT_CLIENT_BODY_TIMEOUT_MS;
  // Bun's idleTimeout is in whole seconds, 1-255.
  const keepAliveS = Math.min(255, Math.max(1, Math.ceil((options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS) / 1000)));
  const tls = options.tls ? loadTls(options.tls) : null;
  // Every body read's timeout has the same length: one timer for all (lib/deadlines.ts).
  const bodyDeadlines = new Deadlines(bodyTimeoutMs);
  /** Calls whose response is not fully produced yet (streams until their last chunk, failure or cancel). */
  let active = 0;
  const server = bun.serve({
    hostname: options.host,
    port: options.port,
    idleTimeout: keepAliveS,
    // Bun's default, development mode unless NODE_ENV=production, prints a stream pull's
    // rejection with its source lines: the way a relay cut by the provider (a Mistral or
    // Cohere stream, with no error frame) cuts the client's connection. The call record says
    // why already; the log stays the proxy's own.
    development: false,
    // Outside development mode Bun sets SO_REUSEPORT unless told not to: a second serve on
    // this port would then start and share it (each with its own budget counters) instead of
    // failing with EADDRINUSE (test/faults/bun-port-in-use.test.ts).
    reusePort: false,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    async fetch(request, srv) {
      srv.timeout(request, 0);
      active++;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        active--;
        try {
          srv.timeout(request, keepAliveS);
        } catch {
          // The connection is already gone: nothing to keep alive.
        }
      };
      try {
        return toResponse(await options.handler(toCall(request, bodyDeadlines)), request.method, done);
      } catch (error) {
        done();
        if (error instanceof ClientFault) {
          // A client that left gets nothing (the response is never delivered); one that stalled gets 408 and a closed connection.
          if (error.fault === 'aborted') return new Response(null, { status: 499, headers: { connection: 'close' } });
          return new Response(bodyTimeoutBody(bodyTimeoutMs), { status: 408, headers: { 'content-type': 'application/json', connection: 'close' } });
        }
        options.onError(error);
        return new Response(INTERNAL_ERROR_BODY, { status: 500, headers: { 'content-type': 'application/json' } });
      }
    },
  });
  return {
    port: server.port,
    host: options.host,
    scheme: tls ? 'https' : 'http',
    get inFlight() {
      return active;
    },
    close: async (graceMs, cut) => {
      // stop(false) refuses new connections and lets the open ones finish.
      // pendingRequests also covers the last bytes of a response still being written.
      const idle = () => active === 0 && server.pendingRequests === 0;
      void server.stop(false);
      await until(() => idle() || cut?.aborted === true, graceMs);
      // Grace over: cut the calls still running; each records itself as it unwinds.
      const stopped = server.stop(true);
      await until(idle, CUT_SETTLE_MS);
      await stopped;
    },
  };
}

/** Polls `done` every 20 ms until it holds or `ms` passed. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function toCall(request: Request, bodyDeadlines: Deadlines): IncomingCall {
  // One native call instead of a JS callback per header.
  const headers = (request.headers as Headers & { toJSON(): Record<string, string> }).toJSON();
  const url = request.url;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  return {
    method: request.method,
    url: pathStart === -1 ? '/' : url.slice(pathStart),
    headers,
    readBody: (limit) => readBody(request, headers['content-length'], limit, bodyDeadlines),
    signal: request.signal,
  };
}

/** Declared bodies up to this size (bytes) are read in one call, timed as a whole: piecewise reads cost ~10 µs per call. */
const WHOLE_READ_MAX_BYTES = 1024 * 1024;

/**
 * Reads the whole body, or null past `limit` bytes (the rest is read and dropped so the
 * 413 can be delivered). Rejects with ClientFault when the client disconnects, or stalls:
 * a declared body up to WHOLE_READ_MAX_BYTES must arrive within the body timeout
 * (`idle.ms`) as a whole, a larger or chunked one may pause at most that long between
 * pieces. The bytes read so far are dropped either way.
 */
async function readBody(request: Request, contentLength: string | undefined, limit: number, idle: Deadlines): Promise<Uint8Array | null> {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) return null;
  // A declared body is read without touching `request.body`: Bun builds that stream
  // (its source, promises and closures) on first access.
  if (contentLength !== undefined && declared <= WHOLE_READ_MAX_BYTES) {
    const body = new Uint8Array(await within(request.arrayBuffer(), idle, () => undefined));
    return body.length > limit ? null : body;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await within(reader.read(), idle, () => void reader.cancel().catch(() => undefined));
    if (next.done) break;
    size += next.value.length;
    if (size > limit) chunks = [];
    else chunks.push(next.value);
  }
  if (size > limit) return null;
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/** Settles like `read`, but rejects with ClientFault('body_timeout') when `deadlines`' timeout passes first (calling `giveUp`) and maps read failures to ClientFault('aborted'). */
function within<T>(read: Promise<T>, deadlines: Deadlines, giveUp: () => void): Promise<T> {
  return deadlines.race(
    read,
    () => {
      giveUp();
      return new ClientFault('body_timeout');
    },
    () => new ClientFault('aborted'),
  );
}

function toHeaders(map: OutgoingResponse['headers']): Headers | Record<string, string> {
  // The common case (no repeated header) needs no Headers object: Response takes the record.
  let plain = true;
  for (const name in map) if (typeof map[name] !== 'string') plain = false;
  if (plain) return map as Record<string, string>;
  const headers = new Headers();
  for (const name in map) {
    const value = map[name];
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/**
 * Builds the web Response; `done` runs once the body is fully produced, failed or cancelled.
 * A relayed body is always pumped or cancelled (the relay records the call and settles its
 * budget then), also when the Response cannot be built from the provider's status and headers.
 */
function toResponse(response: OutgoingResponse, method: string, done: () => void): Response {
  const body = response.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    done();
    return new Response(body as BodyInit | null, { status: response.status, headers: toHeaders(response.headers) });
  }
  try {
    return streamedResponse(response.status, toHeaders(response.headers), body, method, done);
  } catch (error) {
    // Bun refused the status or a header: the answer cannot be sent.
    body.cancel(new Error(`the answer could not be sent: ${error instanceof Error ? error.message : String(error)}`));
    done();
    throw error;
  }
}

function streamedResponse(status: number, headers: Headers | Record<string, string>, body: StreamBody, method: string, done: () => void): Response {
  if (hasNoBody(status, method)) {
    // Bun never pulls such a body's stream (it cancels it), which the relay took for a client
    // that left: the upstream's body, empty, is read to its end here instead.
    const response = new Response(null, { status, headers });
    void body
      .pump(() => undefined)
      .catch(() => undefined)
      .finally(done);
    return response;
  }
  // A direct stream: Bun calls pull once and the pump writes each chunk straight to the
  // connection (no ReadableStream queue or pull promise per chunk). A rejected pump
  // errors the stream, which cuts the connection.
  let pumping = false;
  const stream = new ReadableStream<Uint8Array>({
    type: 'direct',
    async pull(controller: BunEdge.DirectController) {
      pumping = true;
      try {
        await body.pump((chunk) => {
          const written = controller.write(chunk);
          const flushed = controller.flush();
          if (typeof flushed !== 'number') return flushed;
          return typeof written === 'number' ? undefined : written;
        });
      } finally {
        done();
      }
      controller.close();
    },
    cancel() {
      // The client left: the relay stops and records the call (at once when it never
      // started; a running pump unwinds and is done from its own finally).
      body.cancel();
      if (!pumping) done();
    },
  } as unknown as UnderlyingDefaultSource<Uint8Array>);
  return new Response(stream, { status, headers });
}
