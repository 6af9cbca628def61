/**
 * Runs the Bun socket client (src/server/bun-socket-upstream.ts) against raw TCP and TLS
 * servers that answer in the shapes a provider or a load balancer may use, and prints
 * what it saw as one JSON line. Run by bun-socket-client.test.ts with the `bun` of
 * node_modules: `bun test/faults/bun-socket-scenarios.ts [TLS_CERT TLS_KEY [tls-only]]`.
 */
import { readFileSync } from 'node:fs';
import { bun, client, failure, rawServer, readAll, request, sleep, text } from './bun-socket-harness.js';
import { CallCancel } from '../../src/lib/cancel.js';
import { createBunSocketUpstream } from '../../src/server/bun-socket-upstream.js';
import { upstreamFailure } from '../../src/proxy/upstream-failure.js';

const results: Record<string, unknown> = {};

const [cert, key, only] = process.argv.slice(2);
if (cert && key) {
  const server = bun.serve({ hostname: '127.0.0.1', port: 0, tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') }, fetch: async (req: Request) => new Response(`tls ${req.method} ${await req.text()}`) });
  results.tls = await request(`https://127.0.0.1:${server.port}/v1`).then(
    async (res) => text(await res.bytes()),
    (e: Error) => {
      // A certificate that does not verify fails before a byte of the request is written.
      results.tlsReachedProvider = upstreamFailure('p', e, 'request').reachedProvider;
      return `${e.name}: ${e.message}`;
    },
  );
  server.stop(true);
}
if (only !== 'tls-only') {
{
  const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'));
  const bodies = [];
  for (let i = 0; i < 5; i++) bodies.push(text(await (await request(`${s.url}/v1/chat?x=1`)).bytes()));
  results.keepAlive = { bodies, connections: s.seen.connections, firstRequest: s.seen.requests[0] };
  s.close();
}
{
  const body = 'data: {"a":1}\n\n'.repeat(40);
  const wire = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const s = await rawServer(async (socket) => {
    for (let i = 0; i < wire.length; i += 7) {
      socket.write(wire.slice(i, i + 7));
      await sleep(0);
    }
  });
  const streamed = await readAll(await request(s.url));
  const whole = text(await (await request(s.url)).bytes());
  results.chunked = { streamedOk: streamed === body, wholeOk: whole === body, connections: s.seen.connections };
  s.close();
}
{
  const s = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: one\n\ndata: two\n\n'));
  const first = await readAll(await request(s.url));
  const second = await readAll(await request(s.url));
  results.untilClose = { first, second, connections: s.seen.connections };
  s.close();
}
{
  const heads = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
  const s = await rawServer((socket) => socket.write(heads));
  const res = await request(s.url);
  // The same bytes one at a time: each blank line is found wherever the pieces split it.
  const slow = await rawServer(async (socket) => {
    for (const byte of heads) {
      socket.write(byte);
      await sleep(0);
    }
  });
  const slowRes = await request(slow.url);
  results.informational = { status: res.status, body: text(await res.bytes()), byteByByte: `${slowRes.status} ${text(await slowRes.bytes())}` };
  s.close();
  slow.close();
}
{
  // A server that closes each connection after its response, as a proxy with a short keep-alive does.
  const s = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const bodies = [];
  for (let i = 0; i < 3; i++) {
    bodies.push(text(await (await request(s.url)).bytes()));
    await sleep(20);
  }
  results.serverCloses = { bodies, connections: s.seen.connections };
  s.close();
}
{
  // Eight calls at once open eight connections; once idle past their keep-alive, the sweep closes every one of them.
  const s = await rawServer((socket) => void sleep(50).then(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')));
  const short = createBunSocketUpstream({ keepAliveMs: 200, sweepMs: 50 });
  const bodies = await Promise.all(Array.from({ length: 8 }, async () => text(await (await request(s.url, {}, short)).bytes())));
  const openWhenIdle = s.seen.open;
  await sleep(600);
  const openAfterSweep = s.seen.open;
  const again = text(await (await request(s.url, {}, short)).bytes());
  await short.close();
  results.poolExpiry = { bodies: bodies.join(','), openWhenIdle, openAfterSweep, again, connections: s.seen.connections };
  s.close();
}
{
  const s = await rawServer((socket, req) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${String(req.length).length}\r\n\r\n${req.length}`));
  const big = new Uint8Array(5 * 1024 * 1024).fill(0x61);
  const res = await request(s.url, { body: big });
  const received = s.seen.requests[0] ?? '';
  results.largeBody = { status: res.status, bodyBytesReceived: received.length - received.indexOf('\r\n\r\n') - 4 };
  s.close();
}
{
  const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial') && socket.end());
  const res = await request(s.url);
  results.cutBody = { status: res.status, bytes: await failure(res.bytes()), read: await failure(readAll(await request(s.url))) };
  results.headerInjection = await failure(request(s.url, { headers: { 'x-evil': 'a\r\nx-injected: 1' } }));
  results.refused = await failure(request('http://127.0.0.1:9/'));
  s.close();
}
{
  const s = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
  results.malformed = await failure(request(s.url));
  s.close();
}
{
  const s = await rawServer(() => {});
  const started = performance.now();
  results.headersTimeout = { error: await failure(request(s.url, { headersTimeoutMs: 200 })), ms: Math.round(performance.now() - started) };
  const cancel = new CallCancel();
  const pending = failure(request(s.url, { cancel }));
  setTimeout(() => cancel.abort(), 50);
  results.aborted = await pending;
  s.close();
}
{
  // A 4 MB stream read slowly: the socket pauses while 256 KiB wait unread, and every byte arrives in order.
  const chunk = 'x'.repeat(64 * 1024);
  const s = await rawServer((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${64 * chunk.length}\r\n\r\n`);
    for (let i = 0; i < 64; i++) socket.write(chunk);
  });
  const body = await readAll(await request(s.url), 2);
  results.slowReader = { bytes: body.length, allX: /^x*$/.test(body) };
  s.close();
}
}
await client.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
