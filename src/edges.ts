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
}

export function edgesFor(runtime: RuntimeName): Edges {
  if (runtime === 'bun') {
    return {
      runtime,
      openDriver: async () => (await import('./store/drivers/bun-sqlite.js')).openDriver,
      startServer: async () => (await import('./server/bun.js')).startBunServer,
      createUpstream: async () => (await import('./server/bun-upstream.js')).createBunUpstream(),
    };
  }
  return {
    runtime,
    openDriver: async () => (await import('./store/drivers/better-sqlite3.js')).openDriver,
    startServer: async () => (await import('./server/node.js')).startNodeServer,
    createUpstream: async () => (await import('./server/node-upstream.js')).createNodeUpstream(),
  };
}
