import type { RuntimeName } from './runtime.js';
import type { UpstreamClient } from './proxy/types.js';
import type { StartServer } from './server/types.js';
import type { OpenDriver } from './store/types.js';

/**
 * The runtime edges, loaded lazily so a command only loads what it uses and the
 * compiled Bun binary never evaluates better-sqlite3 or undici.
 */
export interface Edges {
  runtime: RuntimeName;
  openDriver(): Promise<OpenDriver>;
  startServer(): Promise<StartServer>;
  createUpstream(): Promise<UpstreamClient>;
  /**
   * Called by `serve` once its plan is made: on Bun, starts the program again as a process
   * that runs only the proxy, with the allocator settings serve runs with
   * (server/bun-serve-relaunch.ts), and then does not return; `handoff` gives the variables
   * that hand the plan over (cli/serve-handoff.ts), and is called only then. Resolves to
   * null (Node: serve runs in this process), or to a warning when it could not be done.
   */
  relaunchForServe(handoff: () => Readonly<Record<string, string>>): Promise<string | null>;
}

export function edgesFor(runtime: RuntimeName): Edges {
  if (runtime === 'bun') {
    return {
      runtime,
      openDriver: async () => (await import('./store/drivers/bun-sqlite.js')).openDriver,
      startServer: async () => (await import('./server/bun.js')).startBunServer,
      createUpstream: async () =>
        bunUpstreamClient(process.env) === 'socket' ? (await import('./server/bun-socket-upstream.js')).createBunSocketUpstream() : (await import('./server/bun-upstream.js')).createBunUpstream(),
      relaunchForServe: async (handoff) => (await import('./server/bun-serve-relaunch.js')).relaunchServe(handoff),
    };
  }
  return {
    runtime,
    openDriver: async () => (await import('./store/drivers/better-sqlite3.js')).openDriver,
    startServer: async () => (await import('./server/node.js')).startNodeServer,
    createUpstream: async () => (await import('./server/node-upstream.js')).createNodeUpstream(),
    // Node's allocator has no such settings: serve runs in the process that read the config.
    relaunchForServe: async () => null,
  };
}

/** Environment variables that route outgoing requests through an HTTP proxy; Bun's fetch honours them, the socket client does not. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * Which upstream client the Bun edge uses: `TOKOMETER_UPSTREAM_CLIENT` (`socket` or `fetch`)
 * when set; else Bun's own sockets (server/bun-socket-upstream.ts), or Bun's fetch when an
 * HTTP proxy variable is set (only fetch goes through a proxy).
 */
export function bunUpstreamClient(env: Record<string, string | undefined>): 'socket' | 'fetch' {
  const asked = env.TOKOMETER_UPSTREAM_CLIENT;
  if (asked === 'fetch' || asked === 'socket') return asked;
  if (asked !== undefined && asked !== '') throw new Error(`TOKOMETER_UPSTREAM_CLIENT must be 'socket' or 'fetch', not '${asked}'`);
  return PROXY_VARIABLES.some((name) => (env[name] ?? '') !== '') ? 'fetch' : 'socket';
}
