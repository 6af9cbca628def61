/**
 * A local OpenTelemetry collector stand-in (run with the bun binary): accepts OTLP/HTTP
 * POSTs (/v1/traces, /v1/metrics, any encoding), reads and discards the body, answers
 * 200. Counts requests and bytes per path; `GET /__stats` returns them.
 * Usage: bun bench/otlp-sink.mjs [port]
 */
const stats = {};

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  idleTimeout: 255,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === '/__stats') return Response.json(stats);
    const body = await req.arrayBuffer();
    const s = (stats[path] ??= { requests: 0, bytes: 0 });
    s.requests++;
    s.bytes += body.byteLength;
    const json = (req.headers.get('content-type') ?? '').startsWith('application/json');
    return new Response(json ? '{}' : new Uint8Array(0), { headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' } });
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
