import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';
import type { RunningServer, ServeOptions } from './types.js';

const bun = (globalThis as unknown as { Bun: BunEdge.Api }).Bun;

/** The Bun edge: Bun.serve in, a web Response out, streaming the relay as it produces chunks. */
export async function startBunServer(options: ServeOptions): Promise<RunningServer> {
  const server = bun.serve({
    hostname: options.host,
    port: options.port,
    idleTimeout: 255,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    async fetch(request) {
      try {
        return toResponse(await options.handler(toCall(request)));
      } catch (error) {
        options.onError(error);
        return new Response('{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal"}}', {
          status: 500,
          headers: { 'content-type': 'application/json' },
        });
      }
    },
  });
  return {
    port: server.port,
    host: options.host,
    close: async (graceMs) => {
      void server.stop(false);
      const deadline = Date.now() + graceMs;
      while (server.pendingRequests > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await server.stop(true);
    },
  };
}

function toCall(request: Request): IncomingCall {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const url = request.url;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  return {
    method: request.method,
    url: pathStart === -1 ? '/' : url.slice(pathStart),
    headers,
    readBody: async (limit) => {
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) return null;
      const body = new Uint8Array(await request.arrayBuffer());
      return body.length > limit ? null : body;
    },
    signal: request.signal,
  };
}

function toHeaders(map: OutgoingResponse['headers']): Headers {
  const headers = new Headers();
  for (const name in map) {
    const value = map[name];
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function toResponse(response: OutgoingResponse): Response {
  const body = response.body;
  const headers = toHeaders(response.headers);
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return new Response(body as BodyInit | null, { status: response.status, headers });
  }
  const iterator = body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { status: response.status, headers });
}
