import { AsyncLocalStorage } from 'node:async_hooks';
import { parseConfigText } from '../config/load.js';
import { providerSettings } from '../config/providers.js';
import { proxySettings } from '../config/proxy-settings.js';
import type { Config } from '../config/schema.js';
import type { Edges } from '../edges.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../lib/ids.js';
import { createPricer } from '../pricing/pricer.js';
import { catalogPricesByProvider } from '../config/catalog-prices.js';
import { buildProviders } from '../providers/registry.js';
import type { Logger } from '../proxy/log.js';
import type { StreamBody } from '../proxy/types.js';
import { startProxy, type RunningProxy } from '../proxy/start.js';
import type { StartServer } from '../server/types.js';
import { DEMO_APPLICATION_ID } from './db-guard.js';
import type { Population } from './population.js';
import type { Progress } from './progress.js';
import { recordTally, type RecordedMix } from './recorded.js';
import { buildRequest, chooseRoutes, type Routes } from './requests.js';
import { SIM_TIME_HEADER, startSimulatedProvider } from './simulated-provider.js';
import { FEATURES, buildWorkload, type Feature, type PlannedCall, type Workload } from './workload.js';
import { usdToNano } from '../lib/money.js';
import { closeProxyStorage, openProxyStorage } from '../store/proxy-storage.js';
import { checkpointWal } from '../store/wal-checkpoint.js';

/** Upstream key the proxy sends to the simulated provider (not a secret: nothing real is behind it). */
const SIMULATED_PROVIDER_KEY = 'sk-demo-simulated-provider';
/** Length of the simulated window, ms. */
const DEMO_WINDOW_MS = 30 * 86_400_000;

export interface DemoRunOptions {
  edges: Edges;
  /** Database file or PostgreSQL URL to write; prepared by db-guard.ts (new or emptied). */
  dbPath: string;
  calls: number;
  seed: number;
  /** Sessions driven at the same time (each session's calls run one after another). */
  concurrency: number;
  /** End of the simulated window (real now), ms since the epoch; the window is the 30 days before it. */
  now: number;
  /** Progress display for `total` calls over the window. */
  progress: (total: number, windowStart: number, windowEnd: number) => Progress;
  log: Logger;
}

export interface DemoRunResult {
  /** Simulated window [windowStart, windowEnd), ms since the epoch. */
  windowStart: number;
  windowEnd: number;
  /** Requests sent through the proxy (= planned calls). */
  calls: number;
  /** What the call records the proxy produced hold: their count, users, tiers, tenants, sessions and providers. */
  recorded: RecordedMix;
  /** Users and tenants of the demo product (all of them, active or not). */
  population: Population;
  /** Features moved to a stand-in provider because this build lacks an adapter. */
  substitutions: string[];
  /** Real ms the run took, from starting the servers to the last record written. */
  elapsedMs: number;
}

/**
 * Runs the demo: starts the simulated provider and the real proxy (both on 127.0.0.1,
 * port 0, with this runtime's edges), creates one metering key per feature, and sends
 * the planned month of calls over HTTP. Every request carries its simulated time in
 * SIM_TIME_HEADER; the proxy's injected clock returns it for everything that request
 * does (AsyncLocalStorage), so each record's `ts` is exactly the planned time however
 * many calls run at once. Throws when the proxy answers a call differently than planned.
 */
export async function runDemo(o: DemoRunOptions): Promise<DemoRunResult> {
  const started = performance.now();
  const windowEnd = o.now;
  const windowStart = windowEnd - DEMO_WINDOW_MS;
  const startServer = await o.edges.startServer();
  const sim = await startSimulatedProvider(startServer, { apiKey: SIMULATED_PROVIDER_KEY });
  let proxy: RunningProxy | undefined;
  let progress: Progress | undefined;
  let completed = false;
  try {
    const config = demoProxyConfig(sim.url);
    const served = new Set([...buildProviders(providerSettings(config.providers)).keys()]);
    const { routes, substitutions } = chooseRoutes(served);
    const workload = buildWorkload({ seed: o.seed, calls: o.calls, windowStart, windowEnd });
    const shown = o.progress(workload.calls, windowStart, windowEnd);
    progress = shown;

    const simulatedNow = new AsyncLocalStorage<number>();
    const storage = await openProxyStorage(o.dbPath, o.edges.openDriver);
    const tally = recordTally();
    try {
      proxy = await startProxy({
        settings: proxySettings(config),
        storage,
        startServer: withSimulatedTime(startServer, simulatedNow),
        upstream: await o.edges.createUpstream(),
        pricer: createPricer(config.prices, { catalogPrices: catalogPricesByProvider(config.providers) }),
        clock: () => simulatedNow.getStore() ?? windowStart,
        log: o.log,
        env: {},
        host: '127.0.0.1',
        port: 0,
        onRecord: (record) => {
          tally.add(record);
          shown.record(record.costNano, record.ts);
        },
      });
      await proxy.store.meta.setApplicationId(DEMO_APPLICATION_ID);
    } catch (error) {
      // Else `finally` stops the proxy, which closes it.
      if (proxy === undefined) await closeProxyStorage(storage);
      throw error;
    }
    const secrets = await createFeatureKeys(proxy, windowStart, o.calls);
    await drive(proxy.url, workload, routes, secrets, o.concurrency);
    await proxy.stop(5000);
    // The calls into the database file itself, whoever still holds a connection: a copy of
    // the .db alone is the whole demo, and no month of calls is left in its -wal.
    if (storage.engine === 'sqlite') await checkpointWal(o.dbPath, o.edges.openDriver);
    completed = true;
    return {
      windowStart,
      windowEnd,
      calls: workload.calls,
      recorded: tally.mix(),
      population: workload.population,
      substitutions,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await proxy?.stop(1000);
    await sim.close();
    progress?.finish(completed);
  }
}

/** The proxy's config: the three API families, each pointing at the simulated provider. */
function demoProxyConfig(simUrl: string): Config {
  const lines = ['openai', 'anthropic', 'gemini'].map((name) => `  ${name}: { base_url: "${simUrl}${name === 'openai' ? '/v1' : ''}", api_key: "${SIMULATED_PROVIDER_KEY}" }`);
  return parseConfigText(`providers:\n${lines.join('\n')}\n`, { file: '(demo config)', env: {} });
}

/**
 * The runtime's server edge, with each request's handler — and the relay of its response
 * body, where the call is settled and recorded — running inside its simulated time.
 */
function withSimulatedTime(startServer: StartServer, simulatedNow: AsyncLocalStorage<number>): StartServer {
  return (options) =>
    startServer({
      ...options,
      handler: async (call) => {
        const at = Number(call.headers[SIM_TIME_HEADER]);
        if (!Number.isFinite(at)) return options.handler(call);
        const response = await simulatedNow.run(at, () => options.handler(call));
        const body = response.body;
        if (body === null || typeof body === 'string' || body instanceof Uint8Array) return response;
        const timed: StreamBody = {
          pump: (write) => simulatedNow.run(at, () => body.pump(write)),
          cancel: () => simulatedNow.run(at, () => body.cancel()),
        };
        return { ...response, body: timed };
      },
    });
}

/**
 * Soft monthly budget per feature key in USD for the default 4,000-call month (scaled with
 * the call count): set so the TUI's gauges show green, yellow and red and alerts fire,
 * without ever blocking a planned call.
 */
const FEATURE_BUDGET_USD: Readonly<Record<Feature, number>> = { summarizer: 12, chatbot: 4.5, autocomplete: 1.75 };
const DEFAULT_CALLS = 4000;

/** One key per feature, named after it, with the fixed tag `feature` (so a call cannot claim another feature) and a soft budget. */
async function createFeatureKeys(proxy: RunningProxy, createdAt: number, calls: number): Promise<Record<Feature, string>> {
  const secrets = {} as Record<Feature, string>;
  for (const feature of FEATURES) {
    const secret = newMeteringKey();
    const budget = { limitNano: usdToNano((FEATURE_BUDGET_USD[feature] * calls) / DEFAULT_CALLS), period: 'month' as const, alertAt: [0.5, 0.8, 1], soft: true };
    await proxy.store.keys.create({ name: feature, prefix: keyPrefix(secret), hash: hashSecret(secret), tags: { feature }, budget, createdAt });
    secrets[feature] = secret;
  }
  await proxy.keys.reload();
  return secrets;
}

/** Sends every planned call: `concurrency` sessions at a time, each session's calls in order. */
async function drive(proxyUrl: string, workload: Workload, routes: Routes, secrets: Record<Feature, string>, concurrency: number): Promise<void> {
  let next = 0;
  let failure: Error | null = null;
  const send = async (call: PlannedCall) => {
    const request = buildRequest(call, routes, secrets[call.feature]);
    const response = await fetch(proxyUrl + request.path, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    const expected = call.fail ?? 200;
    if (response.status !== expected) {
      throw new Error(`the proxy answered ${response.status} (expected ${expected}) to POST ${request.path}: ${text.slice(0, 400)}`);
    }
  };
  const worker = async () => {
    while (failure === null && next < workload.sessions.length) {
      const session = workload.sessions[next++]!;
      for (const call of session.calls) {
        if (failure !== null) return;
        try {
          await send(call);
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure !== null) throw failure;
}
