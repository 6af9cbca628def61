/**
 * What the socket client's scenario scripts (bun-socket-scenarios.ts,
 * bun-socket-edge-scenarios.ts) share: raw TCP servers that answer as told, one client and
 * a request helper. Runs on Bun only (the scripts are started with node_modules' bun).
 */
import { createServer, type Socket } from 'node:net';
import { createBunSocketUpstream } from '../../src/server/bun-socket-upstream.js';
import { CallCancel } from '../../src/lib/cancel.js';
import type { UpstreamRequest, UpstreamResponse } from '../../src/proxy/types.js';

/** Bun's API (this script runs on Bun; the Node build has no Bun types). */
export const bun = (globalThis as unknown as { Bun: { serve(o: object): { port: number; stop(force: boolean): void } } }).Bun;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Answer = (socket: Socket, request: string) => void;

/** A TCP server that answers each request (head and body read whole) with `answer`; counts connections and keeps what it received. */
export async function rawServer(answer: Answer) {
  /** `open`: connections the client has not closed yet. */
  const seen = { connections: 0, open: 0, requests: [] as string[] };
  const server = createServer((socket) => {
    seen.connections++;
    seen.open++;
    socket.on('close', () => seen.open--);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.subarray(0, end + 4 + length).toString('latin1');
        buf = buf.subarray(end + 4 + length);
        seen.requests.push(request);
        answer(socket, request);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

export const client = createBunSocketUpstream();
export const request = (url: string, extra: Partial<UpstreamRequest> = {}, via = client): Promise<UpstreamResponse> => {
  return via.request({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: new TextEncoder().encode('{"model":"m"}'),
    cancel: new CallCancel(),
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
    ...extra,
  });
};
export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const failure = async (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
/** Reads a body chunk by chunk, `delayMs` between reads. */
export async function readAll(res: UpstreamResponse, delayMs = 0): Promise<string> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const next = await res.body.read();
    if (next.done) break;
    parts.push(next.value.slice());
    if (delayMs) await sleep(delayMs);
  }
  return text(Buffer.concat(parts));
}
