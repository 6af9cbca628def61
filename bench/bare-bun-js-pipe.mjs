/**
 * The bare Bun proxy with its response body passed through JavaScript: the upstream
 * body's reader → a direct stream, one `read` and one `write` + `flush` per chunk, as
 * tokometer's relay does, but without metering. Set beside bench/bare-bun.mjs (which
 * hands the body to the response natively) it separates what reading a stream in
 * JavaScript costs from what metering costs (bench/ttfc-herd.mjs --extra).
 * Usage: bun bench/bare-bun-js-pipe.mjs http://127.0.0.1:UPSTREAM_PORT [port]
 */
import { serveLoopback } from './lib/bun-loopback.mjs';

const upstream = process.argv[2];

serveLoopback(process.argv[3], async (req) => {
  const url = req.url;
  let path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  if (path.startsWith('/proxy/openai')) path = path.slice(13);
  const headers = new Headers(req.headers);
  headers.delete('host');
  headers.delete('connection');
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
  let res;
  try {
    res = await fetch(upstream + path, { method: req.method, headers, body, decompress: false, keepalive: true });
  } catch {
    return new Response('upstream failed', { status: 502 });
  }
  if (!res.body) return new Response(null, { status: res.status, headers: res.headers });
  const reader = res.body.getReader();
  const stream = new ReadableStream({
    type: 'direct',
    async pull(controller) {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        controller.write(next.value);
        const flushed = controller.flush();
        if (typeof flushed !== 'number') await flushed;
      }
      controller.close();
    },
  });
  return new Response(stream, { status: res.status, headers: res.headers });
});
