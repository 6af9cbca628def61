/**
 * The bare pass-through proxy on Bun (Bun.serve + fetch): what any Bun proxy costs
 * before it meters anything. /proxy/openai/<rest> → <upstream>/<rest>.
 * Usage: bun bench/bare-bun.mjs http://127.0.0.1:UPSTREAM_PORT [port]
 */
const upstream = process.argv[2];

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.argv[3] ?? 0),
  idleTimeout: 255,
  async fetch(req) {
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
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
