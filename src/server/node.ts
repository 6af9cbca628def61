import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';
import type { RunningServer, ServeOptions } from './types.js';

/** The Node edge: node:http in, OutgoingResponse out, with backpressure and client-abort signals. */
export async function startNodeServer(options: ServeOptions): Promise<RunningServer> {
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    inFlight++;
    serve(req, res, options)
      .catch((error) => {
        options.onError(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal"}}');
        else res.destroy();
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0 && idle) idle();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    host: options.host,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        server.close();
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        timer.unref();
        const finish = () => {
          clearTimeout(timer);
          server.closeAllConnections();
          resolve();
        };
        if (inFlight === 0) finish();
        else idle = finish;
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const call: IncomingCall = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: flattenHeaders(req.headers),
    readBody: (limit) => readBody(req, limit),
    signal: controller.signal,
    remoteAddress: req.socket.remoteAddress,
  };
  const response = await options.handler(call);
  await send(res, response);
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
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
    await body[Symbol.asyncIterator]().return?.();
    return;
  }
  try {
    for await (const chunk of body) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await drained(res);
    }
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
