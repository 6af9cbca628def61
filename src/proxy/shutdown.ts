import type { BudgetService } from '../budget/service.js';
import { waitAtMost } from '../lib/wait-at-most.js';
import type { RunningServer } from '../server/types.js';
import type { Store } from '../store/facade.js';
import type { RecordWriter } from '../store/types.js';
import type { CallTelemetry } from '../telemetry/types.js';
import type { KeyResolver } from './auth.js';
import type { BackgroundWatch } from './background-watch.js';
import type { DepartedCalls } from './departed-calls.js';
import type { BudgetGate } from './deps.js';
import type { Logger } from './log.js';
import type { UpstreamClient } from './types.js';

/**
 * ms the end of the grace period waits for the streams it ends to have their error frame
 * written (RunningStreams.haltAll) before the server cuts the connections: a client that
 * does not read (backpressure) is cut then without it.
 */
const FINAL_FRAME_MS = 500;
/** ms the shutdown waits for pending alert webhooks after the calls are written. */
const ALERT_DRAIN_MS = 2000;
/** ms the shutdown waits for the last spans and metric points to reach the collector. */
const TELEMETRY_DRAIN_MS = 5000;

/** What a running proxy's stop releases (start.ts builds them), each only through what the shutdown calls. */
export interface ProxyShutdownParts {
  gate: Pick<BudgetGate<unknown>, 'endWaits'>;
  stopRetention: () => void;
  keys: Pick<KeyResolver, 'close'>;
  server: Pick<RunningServer, 'close'>;
  /** Aborted by cutInFlight (a second Ctrl-C): the server cuts the calls still in flight before the grace period ends. */
  cut: AbortSignal;
  /**
   * Called when the grace period ends or `cut` aborts, before the server cuts the calls still
   * running: they record themselves as cut by the shutdown, and the streams being relayed are
   * ended with the provider's error frame; resolves once those have ended (never rejects).
   */
  atGraceEnd: () => Promise<void>;
  background: Pick<BackgroundWatch, 'close'>;
  /** Calls whose client left, still reading their answer: cut when the grace period ends. */
  departed: Pick<DepartedCalls, 'cut'>;
  queue: Pick<RecordWriter, 'drain' | 'close' | 'pending'>;
  /** The budgets startProxy built; null when its `budgets` hook replaced them. */
  budgets: Pick<BudgetService, 'close' | 'idle' | 'abandonAlerts'> | null;
  telemetry: Pick<CallTelemetry, 'shutdown'> | null;
  upstream: Pick<UpstreamClient, 'close'>;
  store: Pick<Store, 'close'>;
  log: Logger;
}

/**
 * Stops a proxy in the one order that loses nothing (RunningProxy.stop): no new calls, the
 * calls in flight finish (up to `graceMs`) and are recorded, every record is written, then
 * the budgets, telemetry, upstream pool and store are released. A drain that fails does
 * not stop the rest; its error is thrown last.
 */
export async function shutDownProxy(p: ProxyShutdownParts, graceMs: number): Promise<void> {
  // First: a call still waiting for budget room is answered 503 (retry) and never sent;
  // admitted now, it would run into the grace period's end.
  p.gate.endWaits?.();
  p.stopRetention();
  await p.keys.close();
  await closeServer(p, graceMs);
  // Responses handed over in the last turn record themselves in an immediate (buffered-json.ts bufferedJson).
  await new Promise((resolve) => setImmediate(resolve));
  // Background responses still running are recorded now, with their estimates.
  p.background.close();
  // A drain that fails (the store failing with no room left to spill) loses the records
  // still pending: said here, and the rest of the shutdown still runs (the leases and
  // spend go back, spans are flushed, connections close); the failure is thrown last.
  let lost: unknown = null;
  try {
    await p.queue.drain();
    await p.queue.close?.();
  } catch (error) {
    lost = error;
    p.log.error('call records could not be written before exit and are lost', { records: p.queue.pending, error: String(error) });
  }
  // Every call has settled: write back the spend settled here and give the leases back.
  const service = p.budgets;
  await service?.close().catch((error: unknown) => p.log.error('could not give the budget leases back (they lapse on their own)', { error: String(error) }));
  await p.telemetry?.shutdown(Math.min(graceMs, TELEMETRY_DRAIN_MS));
  if (service) {
    await waitAtMost(service.idle(), Math.min(graceMs, ALERT_DRAIN_MS));
    // Stored as fired, an alert still undelivered is never sent again: each is logged.
    service.abandonAlerts();
  }
  await p.upstream.close();
  await p.store.close();
  if (lost !== null) throw lost;
}

/**
 * Waits for the calls in flight (RunningServer.close) up to `graceMs` or a second signal
 * (`p.cut`). Then `p.atGraceEnd` is told, so each call still running knows the shutdown cut
 * it, and the streams being relayed end with the provider's error frame; once they have (at
 * most FINAL_FRAME_MS), the server cuts the connections of the calls still running (its own
 * timer, FINAL_FRAME_MS later, is only a backstop). A call whose client left before its
 * answer has no connection to cut: it reads the provider's answer on, so it is stopped then
 * too (DepartedCalls.cut), and records itself as the server waits for it to unwind.
 */
async function closeServer(p: Pick<ProxyShutdownParts, 'server' | 'cut' | 'atGraceEnd' | 'departed'>, graceMs: number): Promise<void> {
  const serverCut = new AbortController();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const framed = p.atGraceEnd();
    p.departed.cut();
    void waitAtMost(framed, FINAL_FRAME_MS).then(() => serverCut.abort());
  };
  const graceEnd = setTimeout(end, graceMs);
  if (p.cut.aborted) end();
  else p.cut.addEventListener('abort', end, { once: true });
  try {
    await p.server.close(graceMs + FINAL_FRAME_MS, serverCut.signal);
  } finally {
    clearTimeout(graceEnd);
    p.cut.removeEventListener('abort', end);
  }
}
