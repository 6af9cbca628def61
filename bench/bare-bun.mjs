/**
 * The bare pass-through proxy on Bun (Bun.serve + fetch): what any Bun proxy costs
 * before it meters anything. /proxy/openai/<rest> → <upstream>/<rest>.
 * Usage: bun bench/bare-bun.mjs http://127.0.0.1:UPSTREAM_PORT [port] [js-pipe]
 * `js-pipe`: the response body is read in JavaScript and written to a direct stream, one
 * `read` and one `write` + `flush` per chunk, as tokometer's relay does but without
 * metering (bench/ttfc-herd.mjs --js-pipe); by default Bun hands it on natively.
 */
import { forwardedParts, serveLoopback } from './lib/bun-loopback.mjs';

const upstream = process.argv[2];
const jsPipe = process.argv[4] === 'js-pipe';

serveLoopback(process.argv[3], async (req) => {
  const { path, headers, body } = await forwardedParts(req);
  try {
    const res = await fetch(upstream + path, { method: req.method, headers, body, decompress: false, keepalive: true });
    return new Response(jsPipe && res.body ? throughJs(res.body) : res.body, { status: res.status, headers: res.headers });
  } catch {
    return new Response('upstream failed', { status: 502 });
  }
});

/** The body's chunks passed on by JavaScript: the upstream reader → a direct stream. */
function throughJs(body) {
  const reader = body.getReader();
  return new ReadableStream({
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
}
