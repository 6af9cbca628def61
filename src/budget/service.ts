import type { Clock } from '../lib/clock.js';
import type { BudgetPeriod, BudgetTarget, KeyBudget, KeyEventActor } from '../store/types.js';
import type { Store } from '../store/facade.js';
import { AlertBook } from './alert-book.js';
import { AlertRecords } from './alert-records.js';
import { AlertNotifier, type PostJson } from './alerts.js';
import { EstimatePrices, type PriceDescriber } from './estimate-prices.js';
import { LedgerGate } from './gate.js';
import type { OutputHoldMode } from './output-hold.js';
import { KeyBudgetSync, type BudgetedKey } from './key-budget-sync.js';
import { LeaseKeeper } from './lease-keeper.js';
import { sharedBudgetId, type BudgetLeaseStore } from '../store/budget-leases.js';
import type { WriteHold } from '../store/held-writes.js';
import { BudgetLedger } from './ledger.js';
import { periodWindow } from './periods.js';
import { clearedSpend, findResetTarget, recordResetDone, type InstanceBefore, type ResetDone, type ResetResult, type ResetTarget } from './reset-target.js';
import { applyLoweredLimits, isCarried, limitRows, seedDefs, storeLimits, type SeedDefs } from './restart-limits.js';
import { replayReprices, repricesToReplay, storeRepricesSeen } from './restart-reprices.js';
import { seedLedger } from './seed.js';
import { withUnseenInstances } from './shared-instances.js';
import type { AlertEvent, BudgetKind, BudgetState, RepricedSpend, TagBudget } from './types.js';

export type { BudgetedKey } from './key-budget-sync.js';

/** The active keys and their changes (proxy/auth.ts KeyResolver). */
export interface KeySource {
  activeKeys(): readonly BudgetedKey[];
  /** `listener` runs after every reload of the keys; the reload waits for the promise it returns. */
  onReload(listener: (keys: readonly BudgetedKey[]) => void | Promise<void>): void;
}

/** Webhook delivery of alerts; without `webhookUrl` or `post` alerts are logged and stored only. */
export interface AlertDelivery {
  webhookUrl?: string;
  post?: PostJson;
  sleep?: (ms: number) => Promise<void>;
  /** Delay before the first retry, ms (doubles each retry). */
  baseDelayMs?: number;
  maxAttempts?: number;
}

export interface BudgetServiceOptions {
  store: Pick<Store, 'budgets' | 'history' | 'unitOfWork' | 'calls' | 'prices'>;
  keys: KeySource;
  /** Config `budgets:`. */
  tagBudgets: readonly TagBudget[];
  /** IANA zone of the budget periods (config `timezone`). */
  timeZone: string;
  pricer: PriceDescriber;
  clock: Clock;
  /** Writes one warning line (alerts, webhook failures, errors). */
  log: (line: string) => void;
  alerts?: AlertDelivery;
  /** The record writer's HoldingWriter.hold (store/held-writes.ts): stored spend read in a hold has exactly the calls settled before it. */
  holdWrites?: () => WriteHold;
  /** Config `budget_admission_wait_ms`: how long a call may wait for room (default 30 000; 0 = never). */
  admissionWaitMs?: number;
  /** Config `budget_output_hold` (LedgerGateOptions.outputHold; default history). */
  outputHold?: OutputHoldMode;
  /** True for a key whose budget the config declares (LedgerGateOptions.configKeyBudget). */
  configKeyBudget?: (keyName: string) => boolean;
  /** ms between attempts to store alerts the store refused (budget/alert-records.ts; default ALERT_STORE_RETRY_MS). Tests shorten it. */
  alertStoreRetryMs?: number;
  /**
   * The shared budget counters when several replicas use one database (PostgreSQL):
   * hard budgets are then admitted against leases of them (lease-policy.ts). Default:
   * budgets of this process alone (SQLite).
   */
  leases?: BudgetLeaseStore;
}

/**
 * Budgets of a running proxy: the in-memory ledger (seeded from the store at start), the
 * gate the proxy calls, alerts (log line, alert row, webhook; once per threshold per
 * period, also across restarts), live key budget changes (on every key reload, also those
 * another process made) and admin resets (recorded so a restart does not undo them).
 * A limit lowered, or a reprice made, while serve was stopped alerts at start as while it
 * runs (restart-limits.ts, restart-reprices.ts: what serve ran with is kept in the store).
 * Key budget changes apply through key-budget-sync.ts.
 */
export class BudgetService {
  readonly ledger: BudgetLedger;
  readonly gate: LedgerGate;
  readonly notifier: AlertNotifier;
  /** Stores the alerts that fire, holding them through a store outage. */
  private readonly alertRecords: AlertRecords;
  /** This replica's leases on the shared budgets; null when the budgets are this process's alone. */
  readonly leases: LeaseKeeper | null;
  private readonly book = new AlertBook();
  private readonly tagDefs: ReadonlyMap<string, TagBudget>;
  /** Live key budget changes; its `defs` is `keyDefs`. */
  private readonly keySync: KeyBudgetSync;

  /**
   * Builds the service and seeds its ledger from the store (spend of the current periods,
   * alerts already fired, resets made, the limits the last run had): await it before
   * serving. `o.keys` must be loaded. Fires the alerts of reprices made and limits lowered
   * while serve was stopped, then stores the limits it runs with and the reprices it holds.
   */
  static async create(o: BudgetServiceOptions): Promise<BudgetService> {
    const known = await o.store.budgets.budgetLimits();
    const keyDefs = new Map<string, KeyBudget>();
    for (const k of o.keys.activeKeys()) if (k.budget !== null) keyDefs.set(k.name, k.budget);
    const seeded = seedDefs(keyDefs, o.tagBudgets, known);
    const service = new BudgetService(o, keyDefs, seeded);
    const since = service.ledger.seedSince();
    // Before the seed: the shared rows this replica creates, and the seed, hold the reprices up to here.
    await service.leases?.readRepricedThrough();
    const reprices = await repricesToReplay(o.store);
    await seedLedger(service.ledger, o.store.budgets, { now: o.clock(), timeZone: o.timeZone, periodOf: (kind, name) => service.periodOf(kind, name), targets: service.targets() });
    service.book.load(await o.store.budgets.alerts({ periodStartFrom: since }), await o.store.budgets.resets(since));
    await replayReprices(service.ledger, o.store, reprices, (c) => isCarried(seeded, c));
    applyLoweredLimits(service.ledger, seeded, keyDefs, o.tagBudgets);
    await storeLimits(o.store.budgets, limitRows(keyDefs, o.tagBudgets, known, o.clock()), o.log);
    await storeRepricesSeen(o.store.budgets, reprices.through, o.clock(), o.log);
    // Estimates of calls without max output are tight from the first call after a restart.
    service.gate.outputs.seed(await o.store.calls.outputMaxima(service.gate.outputs.windowStart(o.clock())));
    o.keys.onReload((keys) => service.syncKeys(keys));
    await service.leases?.start();
    return service;
  }

  /** `keyDefs`: the key budgets applied to the ledger, by key name; `seeded`: the budgets the ledger starts with (restart-limits.ts). */
  private constructor(private readonly o: BudgetServiceOptions, private readonly keyDefs: Map<string, KeyBudget>, seeded: SeedDefs) {
    const budgets = o.store.budgets;
    this.alertRecords = new AlertRecords({ write: (a) => budgets.recordAlert(a), log: o.log, ...(o.alertStoreRetryMs !== undefined ? { retryMs: o.alertStoreRetryMs } : {}) });
    this.notifier = new AlertNotifier({
      log: o.log,
      ...o.alerts,
      // The alert's row is its claim: one write, and only the replica that stored it sends the webhook.
      claim: (e) =>
        this.alertRecords.add({ kind: e.kind, budget: e.name, tagValue: e.tagValue, threshold: e.threshold, period: e.period, periodStart: e.periodStart, armedFrom: e.armedFrom, spentNano: e.spentNano, limitNano: e.limitNano, soft: e.soft, firedAt: e.at }),
    });
    this.tagDefs = new Map(o.tagBudgets.map((b) => [b.name, b]));
    this.leases = o.leases === undefined ? null : new LeaseKeeper({ store: o.leases, log: o.log });
    this.ledger = new BudgetLedger({
      ...(this.leases === null ? {} : { sharing: this.leases }),
      clock: o.clock,
      timeZone: o.timeZone,
      keyBudgets: seeded.keys,
      tagBudgets: seeded.tags,
      onCross: (e: AlertEvent) => {
        const alert = this.book.take(e);
        if (alert !== null) this.notifier.notify(alert);
      },
      // A reset through another replica re-arms this one's alerts too, as the one made here does.
      onResetElsewhere: (c) => this.book.rearm(c.kind, c.name, c.tagValue, c.periodStart),
    });
    this.keySync = new KeyBudgetSync({ ledger: this.ledger, store: o.store, clock: o.clock, timeZone: o.timeZone, log: o.log, ...(o.holdWrites !== undefined ? { holdWrites: o.holdWrites } : {}) }, keyDefs);
    this.gate = new LedgerGate(this.ledger, new EstimatePrices(o.pricer), { ...(o.admissionWaitMs !== undefined ? { admissionWaitMs: o.admissionWaitMs } : {}), ...(o.outputHold !== undefined ? { outputHold: o.outputHold } : {}), ...(o.configKeyBudget !== undefined ? { configKeyBudget: o.configKeyBudget } : {}), log: o.log });
  }

  /** Every budget instance with its spend, holds and reset time, as this replica's counters hold them (metrics, TUI). */
  snapshot(): BudgetState[] {
    return this.ledger.snapshot();
  }

  /**
   * `snapshot` for GET /admin/budgets: with shared budgets (PostgreSQL) each hard budget's
   * spend is its shared row's, read now (LeaseKeeper.withSharedSpend), so every replica
   * shows the spend they all enforce, and the `per` instances only other replicas had calls
   * of are listed too (shared-instances.ts). On SQLite this is `snapshot`.
   */
  async sharedSnapshot(): Promise<BudgetState[]> {
    const states = this.snapshot();
    if (this.leases === null || this.o.leases === undefined) return states;
    const shared = await this.leases.withSharedSpend(states);
    return withUnseenInstances({ states: shared, tagBudgets: this.o.tagBudgets, leases: this.o.leases, now: this.o.clock(), timeZone: this.o.timeZone });
  }

  /** The latest alerts, newest first. */
  recentAlerts(): AlertEvent[] {
    return this.notifier.recent();
  }

  /** Resolves when no webhook delivery is pending. */
  idle(): Promise<void> {
    return this.notifier.idle();
  }

  /** At shutdown, after `idle` had its time: logs each alert the webhook has not accepted, and stops delivering. @returns their ids. */
  abandonAlerts(): string[] {
    return this.notifier.abandon();
  }

  /** Writes back the spend settled here and gives this replica's leases back (after the last call settled, before the store closes; at most LEASE_CLOSE_MS, lease-keeper.ts). */
  async close(): Promise<void> {
    await this.alertRecords.close();
    await this.leases?.close();
  }

  /** Applies the active keys' budgets to the ledger, one sync after another (key-budget-sync.ts `sync`). Never rejects. */
  syncKeys(keys: readonly BudgetedKey[]): Promise<void> {
    return this.keySync.sync(keys);
  }

  /**
   * Clears the current period's spend of a budget (in memory), records the reset so a
   * restart does not bring the spend back, writes the audit row and re-arms its alerts.
   * The ledger is cleared at once; the promise resolves once the rows are written. With
   * shared budgets the answer's spend cleared is the shared rows' (reset-target.ts clearedSpend).
   */
  async reset(target: ResetTarget, actor: KeyEventActor): Promise<ResetResult> {
    const found = findResetTarget(target, this.keyDefs, this.tagDefs);
    if (!found.ok) return found;
    const { kind, period, tagValue, ref } = found;
    const before = this.ledger
      .snapshot()
      .filter((s) => s.kind === kind && s.name === target.name && (tagValue === undefined || s.tagValue === tagValue))
      .map((s): InstanceBefore => ({ id: sharedBudgetId(s.kind, s.name, s.tagValue), spentNano: s.spentNano, unsentNano: this.leases?.unsentOf(s) ?? 0 }));
    const resetAt = this.o.clock();
    this.ledger.resetSpend(ref, resetAt);
    const periodStart = periodWindow(period, resetAt, this.o.timeZone).start;
    const allValues = tagValue === undefined;
    this.book.rearm(kind, target.name, tagValue, periodStart);
    const rows = await this.o.leases?.reset(kind, target.name, tagValue, periodStart, resetAt);
    const done: ResetDone = { ok: true, kind, name: target.name, tagValue: tagValue ?? null, allValues, period, periodStart, resetAt, clearedNano: clearedSpend(before, rows) };
    await recordResetDone(this.o.store, done, actor);
    return done;
  }

  /**
   * Moves the current periods' spend by repriced calls' cost changes (`prices reprice`,
   * possibly run by another process), ids ascending: each change counts for the budgets
   * its call counts against, as its settle did. The ledger moves at once; the promise
   * resolves once the key budgets whose alerts a decrease re-armed have their keys history
   * row (key-budget-sync.ts `recordRepriceRearm`). Never rejects.
   */
  async adjustSpend(changes: Iterable<RepricedSpend>): Promise<void> {
    const list = [...changes];
    const rearmed = this.ledger.adjustSpend(list);
    if (list.length === 0) return;
    const through = list[list.length - 1]!.id;
    // So a restart replays only the changes made after this (restart-reprices.ts).
    const seen = storeRepricesSeen(this.o.store.budgets, through, this.o.clock(), this.o.log);
    await Promise.all([seen, ...[...rearmed].map(([name, thresholds]) => this.keySync.recordRepriceRearm(name, thresholds, through))]);
  }

  /** Whose calls each budget sums: the keys with a budget, then the tag budgets. */
  private targets(): BudgetTarget[] {
    const keys = [...this.keyDefs.keys()].map((name): BudgetTarget => ({ kind: 'key', name }));
    const tags = [...this.tagDefs.values()].map((t): BudgetTarget => ({ kind: 'tag', name: t.name, match: t.match, ...(t.per === undefined ? {} : { per: t.per }) }));
    return [...keys, ...tags];
  }

  private periodOf(kind: BudgetKind, name: string): BudgetPeriod | undefined {
    return kind === 'key' ? this.keyDefs.get(name)?.period : this.tagDefs.get(name)?.period;
  }
}

