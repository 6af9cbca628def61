import type { RepricedSpend } from '../budget/types.js';
import type { Pricer } from '../pricing/pricer.js';
import type { Logger } from '../proxy/log.js';
import type { PriceStore } from '../store/price-store.js';
import { applyCatalog, summarizeDiff } from './catalog-apply.js';
import { fetchCatalog, snapshotFromRecord } from './catalog-source.js';

/**
 * What keeps a running `serve` on the prices in force: it polls the database for a newer
 * catalog snapshot (any process sharing the database may have stored one) and for the
 * cost changes of `prices reprice` runs, which move its budget counters; with
 * `prices.auto_update` it also fetches the published catalog itself on that interval.
 * A poll is two indexed MAX(id) lookups.
 */

export interface PriceWatchOptions {
  prices: PriceStore;
  pricer: Pricer;
  /** The proxy's budgets (absent when it enforces none). */
  budgets: { adjustSpend(changes: Iterable<RepricedSpend>): void } | null;
  log: Logger;
  /** ms between polls. */
  pollMs: number;
  /** Newest reprice spend change already in the budgets (read before they were seeded from the store). */
  spendSeenId: number;
  /** Fetch the catalog every `everyMs` from `origin` (a URL, or a file relative to `cwd`); null = never. */
  autoUpdate: { everyMs: number; origin: string; cwd: string } | null;
  clock: () => number;
}

export interface PriceWatch {
  /** Checks now (SIGHUP, a test); resolves when done. Checks never overlap. */
  check(): Promise<void>;
  /** Runs one auto update now, then a check. */
  autoUpdate(): Promise<void>;
  stop(): void;
}

/** Spend changes applied per read. */
const PAGE = 1000;

export function startPriceWatch(o: PriceWatchOptions): PriceWatch {
  let spendSeen = o.spendSeenId;
  /** A snapshot id that failed to load: not retried until a newer one arrives. */
  let failedId: number | null = null;
  let running: Promise<void> = Promise.resolve();

  async function pickUpSnapshot(): Promise<void> {
    const id = await o.prices.latestSnapshotId();
    if (id === null || id === o.pricer.snapshot?.id || id === failedId) return;
    const record = await o.prices.latestSnapshot();
    if (record === null) return;
    try {
      const snapshot = snapshotFromRecord(record);
      o.pricer.useSnapshot(snapshot);
      o.log.info('prices: using a new catalog snapshot for new calls', { snapshot: snapshot.source, id: snapshot.id, origin: record.origin });
    } catch (error) {
      failedId = record.id;
      o.log.error('prices: the newest catalog snapshot cannot be used; keeping the current prices', { id: record.id, error: (error as Error).message });
    }
  }

  async function applySpendChanges(): Promise<void> {
    for (;;) {
      const changes = await o.prices.spendChangesAfter(spendSeen, PAGE);
      if (changes.length === 0) return;
      spendSeen = changes[changes.length - 1]!.id;
      o.budgets?.adjustSpend(changes);
      const delta = changes.reduce((s, c) => s + c.deltaNano, 0);
      o.log.info('budgets: spend moved by repriced calls', { calls: changes.length, delta_nano: delta });
      if (changes.length < PAGE) return;
    }
  }

  const check = (): Promise<void> => {
    running = running.then(async () => {
      try {
        await pickUpSnapshot();
        await applySpendChanges();
      } catch (error) {
        o.log.warn('prices: could not check the database for new prices', { error: (error as Error).message });
      }
    });
    return running;
  };

  const autoUpdate = async (): Promise<void> => {
    const a = o.autoUpdate;
    if (a === null) return;
    try {
      const fetched = await fetchCatalog(a.origin, a.cwd);
      const r = await applyCatalog(o.prices, fetched, o.clock(), { force: false, dryRun: false });
      if (r.kind === 'stored') o.log.info('prices: auto update stored a new catalog snapshot', { snapshot: r.source, origin: fetched.origin, changes: summarizeDiff(r.diff) });
      else o.log.info('prices: auto update found no new catalog data', { origin: fetched.origin });
    } catch (error) {
      o.log.warn('prices: auto update failed; prices unchanged', { error: (error as Error).message });
    }
    await check();
  };

  const poll = setInterval(() => void check(), o.pollMs);
  poll.unref?.();
  const fetcher = o.autoUpdate === null ? null : setInterval(() => void autoUpdate(), o.autoUpdate.everyMs);
  fetcher?.unref?.();

  return {
    check,
    autoUpdate,
    stop() {
      clearInterval(poll);
      if (fetcher) clearInterval(fetcher);
    },
  };
}
