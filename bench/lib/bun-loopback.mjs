/**
 * The listening side of the bench's Bun servers (bare-bun.mjs, fake-upstream.mjs,
 * otlp-sink.mjs; run with the bun binary): Bun.serve on 127.0.0.1 with the longest idle
 * timeout Bun allows (255 s, so kept-alive load connections are never cut), then the
 * `listening on http://127.0.0.1:PORT` line that lib/systems.mjs reads the port from.
 */

/** Serves `fetch` on 127.0.0.1:`port` (a command-line string; absent or 0 = any free port). */
export function serveLoopback(port, fetch) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: Number(port ?? 0), idleTimeout: 255, fetch });
  console.log(`listening on http://127.0.0.1:${server.port}`);
  return server;
}
