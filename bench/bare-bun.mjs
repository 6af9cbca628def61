/**
 * The bare pass-through proxy on Bun (Bun.serve + fetch): what any Bun proxy costs
 * before it meters anything. /proxy/openai/<rest> → <upstream>/<rest>.
 * Usage: bun bench/bare-bun.mjs http://127.0.0.1:UPSTREAM_PORT [port]
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
  try {
    const res = await fetch(upstream + path, { method: req.method, headers, body, decompress: false, keepalive: true });
    return new Response(res.body, { status: res.status, headers: res.headers });
  } catch {
    return new Response('upstream failed', { status: 502 });
  }
});
