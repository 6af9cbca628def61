import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { UPSTREAM_KEY, type CallRow } from '../support/proxy-harness.js';
import { faultConfig, upstreamFaultSuite, type FaultTarget } from '../support/upstream-fault-suite.js';
import { startBunProxyOn } from './bun-driver.js';

/** The fault suite on the Bun edge, with each of its upstream clients (edges.ts bunUpstreamClient). */
async function bunTarget(upstreamUrl: string, client: 'socket' | 'fetch'): Promise<FaultTarget> {
  const proxy = await startBunProxyOn(faultConfig(upstreamUrl, UPSTREAM_KEY), { stop: async () => {} }, {}, { TOKOMETER_UPSTREAM_CLIENT: client });
  return {
    secret: proxy.secret,
    baseUrl: (provider = 'openai') => `${proxy.url}/proxy/${provider}`,
    rows: () => {
      const driver = openDriver(proxy.db, { readonly: true });
      try {
        return driver
          .prepare('SELECT * FROM calls ORDER BY id')
          .all<Record<string, unknown>>()
          .map((r) => ({ ...r, tags: JSON.parse(String(r.tags)) as Record<string, string> }) as CallRow);
      } finally {
        driver.close();
      }
    },
    close: () => proxy.close(),
  };
}

upstreamFaultSuite('Bun edge, socket client', (url) => bunTarget(url, 'socket'));
upstreamFaultSuite('Bun edge, fetch client', (url) => bunTarget(url, 'fetch'));
