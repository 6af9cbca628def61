/**
 * The Bun socket client (src/server/bun-socket-upstream.ts) where a review found it wrong:
 * a body read whole after the socket paused for it, a TLS handshake that never completes,
 * a call aborted while connecting, a stream cut before its reader caught up. Prints
 * what it saw as one JSON line; run by bun-socket-client.test.ts with the `bun` of
 * node_modules: `bun test/faults/bun-socket-edge-scenarios.ts`.
 */
import { client, failure, rawServer, request, sleep, text } from './bun-socket-harness.js';
import { CallCancel } from '../../src/lib/cancel.js';
import { upstreamFailure } from '../../src/proxy/upstream-failure.js';

const results: Record<string, unknown> = {};

{
  // A 1 MiB JSON answer read whole with bytes(), as the proxy reads JSON up to 4 MiB. More than
  // the socket body's 256 KiB high-water mark arrives before bytes() is called, so the socket
  // is paused with nobody reading: bytes() must read on.
  const size = 1024 * 1024;
  const s = await rawServer((socket) => socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`), Buffer.alloc(size, 0x61)])));
  const res = await request(s.url, { bodyTimeoutMs: 2000 });
  await sleep(100);
  const started = performance.now();
  const body = await res.bytes().then((b) => `${b.length} bytes`, (e: Error) => `${e.name}: ${e.message}`);
  results.bytesAfterPause = { body, ms: Math.round(performance.now() - started) };
  s.close();
}
{
  // An https origin that accepts TCP but never completes the TLS handshake (an overloaded
  // terminator, a middlebox that swallows the ClientHello).
  const s = await rawServer(() => {});
  const url = `${s.url.replace('http:', 'https:')}/v1`;
  let error: unknown = null;
  await request(url, { connectTimeoutMs: 200 }).catch((e: unknown) => (error = e));
  await sleep(300);
  results.handshakeNeverCompletes = {
    error: `${(error as Error).name}: ${(error as Error).message}`,
    // What the proxy makes of it: a call the provider never saw is not billed.
    reachedProvider: upstreamFailure('p', error, 'request').reachedProvider,
    // Connections the server still has open after the client gave up.
    openAfter: s.seen.open,
  };
  // The same server, the call aborted (its client left) 50 ms into a 2 s connect timeout.
  const cancel = new CallCancel();
  const started = performance.now();
  setTimeout(() => cancel.abort(), 50);
  const aborted = await failure(request(url, { cancel, connectTimeoutMs: 2000 }));
  const ms = Math.round(performance.now() - started);
  await sleep(100);
  results.abortedWhileConnecting = { error: aborted, ms, openAfter: s.seen.open };
  s.close();
}
{
  // A stream the provider cuts (a TCP reset) right after four frames, the cut reaching the
  // client before its reader takes a chunk, as when a loaded proxy's relay lags: every frame
  // sent before the cut is still read, then the error. (Bun's fetch drops them: bun-upstream.ts.)
  const frames = [1, 2, 3, 4].map((n) => `data: {"n":${n}}\n\n`);
  let cut = (): void => {};
  const closed = new Promise<void>((r) => (cut = r));
  const s = await rawServer((socket) => {
    socket.once('close', () => cut());
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n${frames.map((f) => `${f.length.toString(16)}\r\n${f}\r\n`).join('')}`);
    socket.resetAndDestroy();
  });
  const res = await request(s.url);
  await closed;
  let body = '';
  const error = await failure(
    (async () => {
      for (let next = await res.body.read(); !next.done; next = await res.body.read()) body += text(next.value);
    })(),
  );
  results.cutBeforeRead = { body, error, allFrames: body === frames.join('') };
  s.close();
}
await client.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
