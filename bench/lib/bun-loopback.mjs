/**
 * The listening side of the bench's Bun servers (bare-bun.mjs, meter-floor.mjs,
 * fake-upstream.mjs, otlp-sink.mjs; run with the bun binary): Bun.serve on 127.0.0.1 with the longest idle
 * timeout Bun allows (255 s, so kept-alive load connections are never cut), then the
 * `listening on http://127.0.0.1:PORT` line that lib/systems.mjs reads the port from.
 */

/** Serves `fetch` on 127.0.0.1:`port` (a command-line string; absent or 0 = any free port). */
export function serveLoopback(port, fetch) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: Number(port ?? 0), idleTimeout: 255, fetch });
  console.log(`listening on http://127.0.0.1:${server.port}`);
  return server;
}

/**
 * What the bare proxies (bare-bun.mjs, meter-floor.mjs) send upstream for `req`: the path
 * after `/proxy/openai`, the headers without host and connection, and the body (null for
 * GET and HEAD), read whole.
 */
export async function forwardedParts(req) {
  const url = req.url;
  let path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  if (path.startsWith('/proxy/openai')) path = path.slice(13);
  const headers = new Headers(req.headers);
  headers.delete('host');
  headers.delete('connection');
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
  return { path, headers, body };
}
