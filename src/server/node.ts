import { createServer as createHttpServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';
import { bodyTimeoutBody, ClientFault, INTERNAL_ERROR_BODY } from './client-fault.js';
import { loadTls } from './tls.js';
import { CUT_SETTLE_MS, DEFAULT_CLIENT_BODY_TIMEOUT_MS, DEFAULT_CLIENT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, type RunningServer, type ServeOptions } from './types.js';

/**
 * The Node edge: node:http (or node:https with `tls`) in, OutgoingResponse out, with
 * backpressure and client-abort signals. Slow clients: headers must be complete within
 * `clientHeaderTimeoutMs` (Node answers 408 itself), and a body may pause at most
 * `clientBodyTimeoutMs` between pieces (see readBody).
 */
export async function startNodeServer(options: ServeOptions): Promise<RunningServer> {
  const headerTimeoutMs = options.clientHeaderTimeoutMs ?? DEFAULT_CLIENT_HEADER_TIMEOUT_MS;
  const bodyTimeoutMs = options.clientBodyTimeoutMs ?? DEFAULT_CLIENT_BODY_TIMEOUT_MS;
  const httpOptions: ServerOptions = {
    noDelay: true,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    // 0 = no cap on the whole request: a long upload is fine as long as it keeps moving.
    requestTimeout: 0,
    headersTimeout: headerTimeoutMs,
    // How often Node sweeps connections for expired header timers (its default is 30 s).
    connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(headerTimeoutMs / 4))),
  };
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    serve(req, res, options, bodyTimeoutMs)
      .catch((error) => answerFailure(req, res, error, options, bodyTimeoutMs))
      .finally(() => {
        inFlight--;
        if (inFlight === 0 && idle) idle();
      });
  };
  const tls = options.tls ? loadTls(options.tls) : null;
  const server = tls
    ? createHttpsServer({ ...httpOptions, cert: tls.cert, key: tls.key, handshakeTimeout: headerTimeoutMs }, onRequest)
    : createHttpServer(httpOptions, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    host: options.host,
    scheme: tls ? 'https' : 'http',
    get inFlight() {
      return inFlight;
    },
    close: (graceMs, cut) =>
      new Promise<void>((resolve) => {
        server.close();
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timer);
          cut?.removeEventListener('abort', cutNow);
          server.closeAllConnections();
          resolve();
        };
        // Grace over (or cut short): cut the calls still running; `idle` fires once they have recorded themselves.
        const cutNow = () => {
          clearTimeout(timer);
          cut?.removeEventListener('abort', cutNow);
          server.closeAllConnections();
          timer = setTimeout(finish, CUT_SETTLE_MS);
        };
        if (inFlight === 0) return finish();
        idle = finish;
        if (cut?.aborted === true) return cutNow();
        cut?.addEventListener('abort', cutNow, { once: true });
        timer = setTimeout(cutNow, graceMs);
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: ServeOptions, bodyTimeoutMs: number): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const call: IncomingCall = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: flattenHeaders(req.headers),
    readBody: (limit) => readBody(req, limit, bodyTimeoutMs),
    signal: controller.signal,
    remoteAddress: req.socket.remoteAddress,
  };
  const response = await options.handler(call);
  await send(res, response);
}

/** A client that left or stalled mid-body is not a proxy failure: answer 408 or just close, and log nothing. */
function answerFailure(req: IncomingMessage, res: ServerResponse, error: unknown, options: ServeOptions, bodyTimeoutMs: number): void {
  if (error instanceof ClientFault) {
    if (error.fault === 'body_timeout' && !res.headersSent && !res.destroyed) {
      res.on('finish', () => req.socket.destroy());
      res.writeHead(408, { 'content-type': 'application/json', connection: 'close' }).end(bodyTimeoutBody(bodyTimeoutMs));
    } else {
      res.destroy();
    }
    return;
  }
  options.onError(error);
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(INTERNAL_ERROR_BODY);
  else res.destroy();
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * Reads the whole body, or null past `limit` bytes (the rest is drained unread so the
 * 413 can be delivered). Rejects with ClientFault when the client disconnects before the
 * end, or sends nothing for `idleMs`; either way the chunks read so far are dropped.
 */
function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(null);
  }
  // Gone before the handler asked for the body: 'close' has already fired.
  if (req.destroyed && !req.complete) return Promise.reject(new ClientFault('aborted'));
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const settle = (fault: ClientFault | null) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      const body = size > limit ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      chunks = [];
      if (fault) reject(fault);
      else resolve(body);
    };
    const onData = (chunk: Buffer) => {
      timer.refresh();
      size += chunk.length;
      if (size > limit) chunks = [];
      else chunks.push(chunk);
    };
    const onEnd = () => settle(null);
    const onClose = () => {
      if (!req.complete) settle(new ClientFault('aborted'));
    };
    const timer = setTimeout(() => settle(new ClientFault('body_timeout')), idleMs);
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

async function send(res: ServerResponse, response: OutgoingResponse): Promise<void> {
  const body = response.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    res.writeHead(response.status, response.headers);
    res.end(body ?? undefined);
    return;
  }
  res.writeHead(response.status, response.headers);
  if (res.destroyed) {
    // Client already gone: still let the relay run its bookkeeping.
    body.cancel();
    return;
  }
  try {
    await body.pump((chunk) => {
      if (res.destroyed) return body.cancel();
      if (!res.write(chunk)) return drained(res);
    });
    if (!res.destroyed) res.end();
  } catch {
    // The upstream failed mid-body: cut the connection so the client sees a broken response, not a short one.
    res.destroy();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
