/**
 * A local OpenTelemetry collector stand-in (run with the bun binary): accepts OTLP/HTTP
 * POSTs (/v1/traces, /v1/metrics, any encoding), reads and discards the body, answers
 * 200. Counts requests and bytes per path; `GET /__stats` returns them.
 * Usage: bun bench/otlp-sink.mjs [port]
 */
import { serveLoopback } from './lib/bun-loopback.mjs';

const stats = {};

serveLoopback(process.argv[2], async (req) => {
  const path = new URL(req.url).pathname;
  if (path === '/__stats') return Response.json(stats);
  const body = await req.arrayBuffer();
  const s = (stats[path] ??= { requests: 0, bytes: 0 });
  s.requests++;
  s.bytes += body.byteLength;
  const json = (req.headers.get('content-type') ?? '').startsWith('application/json');
  return new Response(json ? '{}' : new Uint8Array(0), { headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' } });
});
