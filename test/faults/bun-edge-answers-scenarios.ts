/**
 * Request-path review, Bun edge: the real Bun.serve edge (server/bun.ts) and the real socket
 * upstream client in front of a raw TCP "provider", with the handler on fake dependencies
 * (test/proxy/fakes.ts: FakeGate remembers reservations and settles). Prints one JSON line;
 * run by bun-edge-answers.test.ts with the `bun` of node_modules.
 */
import { createServer, type Socket } from 'node:net';
import { startBunServer } from '../../src/server/bun.js';
import { createBunSocketUpstream } from '../../src/server/bun-socket-upstream.js';
import type { UpstreamRequest } from '../../src/proxy/types.js';
import { fixture, SECRET, type Fixture } from '../proxy/fakes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the raw provider writes once it has the request head; `keepOpen`: it never ends the connection. */
let answer: { bytes: string; keepOpen: boolean } | null = null;
const open = new Set<Socket>();
const provider = createServer((socket) => {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
  socket.on('error', () => undefined);
  let head = '';
  let answered = false;
  socket.on('data', (d: Buffer) => {
    head += d.toString('latin1');
    if (answered || !head.includes('\r\n\r\n') || answer === null) return;
    answered = true;
    socket.write(answer.bytes);
    if (!answer.keepOpen) socket.end();
  });
});
await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
const providerPort = (provider.address() as { port: number }).port;

/** A TCP server that accepts and then says nothing (a TLS handshake that never completes). */
const silent = createServer((socket) => socket.on('error', () => undefined));
await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
const silentPort = (silent.address() as { port: number }).port;

const client = createBunSocketUpstream();
let target = `http://127.0.0.1:${providerPort}`;
let current: Fixture = fixture(() => Promise.reject(new Error('unused')));
const newFixture = () =>
  (current = fixture((req: UpstreamRequest) => client.request({ ...req, url: req.url.replace('http://upstream.invalid', target), connectTimeoutMs: 5000 })));

const server = await startBunServer({ host: '127.0.0.1', port: 0, onError: () => undefined, handler: (call) => current.handle(call) });
const base = `http://127.0.0.1:${server.port}/proxy/openai`;
const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

function summary(clientStatus: number | string) {
  return {
    clientStatus,
    records: current.records.map((r) => ({ outcome: r.outcome, status: r.status, error: r.error, usageSource: r.usageSource, costNano: r.costNano })),
    reserved: current.gate.requests.length,
    settled: current.gate.settled.length,
    providerConnectionsOpen: open.size,
    edgeInFlight: server.inFlight,
  };
}

async function run(name: string, bytes: string, keepOpen: boolean, request: () => Promise<Response>): Promise<[string, unknown]> {
  newFixture();
  answer = { bytes, keepOpen };
  let status: number | string;
  try {
    const res = await request();
    status = res.status;
    await res.text().catch(() => undefined);
  } catch (error) {
    status = String(error);
  }
  await sleep(400);
  const out = summary(status);
  for (const s of open) s.destroy();
  await sleep(50);
  return [name, out];
}

const STREAM_ASK = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });
const ASK = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
const CHUNK = 'data: {"id":"x","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n';
const chunked = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

const results: Record<string, unknown> = Object.fromEntries([
  await run('noContent204', 'HTTP/1.1 204 No Content\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n', false, () => fetch(`${base}/chat/completions`, { method: 'POST', headers: auth, body: ASK })),
  await run('head', 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\nconnection: close\r\n\r\n', false, () => fetch(`${base}/models`, { method: 'HEAD', headers: auth })),
  await run('status600', `HTTP/1.1 600 Odd\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${chunked(CHUNK)}`, true, () => fetch(`${base}/chat/completions`, { method: 'POST', headers: auth, body: STREAM_ASK })),
  await run('invalidHeaderName', `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx bad: 1\r\ntransfer-encoding: chunked\r\n\r\n${chunked(CHUNK)}`, true, () => fetch(`${base}/chat/completions`, { method: 'POST', headers: auth, body: STREAM_ASK })),
  // A bare CR inside a header value: the socket client keeps it, Bun's Response refuses it.
  await run('bareCrValue', `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-note: a\rb\r\ntransfer-encoding: chunked\r\n\r\n${chunked(CHUNK)}`, true, () => fetch(`${base}/chat/completions`, { method: 'POST', headers: auth, body: STREAM_ASK })),
]);

{
  // The client leaves 100 ms into connecting to an https provider whose TLS handshake never completes.
  newFixture();
  target = `https://127.0.0.1:${silentPort}`;
  const leave = new AbortController();
  setTimeout(() => leave.abort(), 100);
  const status = await fetch(`${base}/chat/completions`, { method: 'POST', headers: auth, body: ASK, signal: leave.signal }).then(
    (r) => r.status,
    (e: unknown) => String((e as Error).name),
  );
  await sleep(400);
  results.leftWhileConnecting = summary(status);
}

await server.close(100);
await client.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
