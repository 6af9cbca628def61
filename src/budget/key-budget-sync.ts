import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { nanoToUsd } from '../lib/money.js';
import type { Store } from '../store/facade.js';
import type { WriteHold } from '../store/held-writes.js';
import type { KeyBudget, KeyEvent } from '../store/types.js';
import type { BudgetLedger } from './ledger.js';
import { keyLimitChanges, storeLimits } from './restart-limits.js';
import { storedKeySpend, type StoredKeySpend } from './stored-key-spend.js';

/** A key as the budget layer sees it (proxy/auth.ts ResolvedKey: stored key merged with YAML). */
export interface BudgetedKey {
  name: string;
  budget: KeyBudget | null;
}

/** What a key budget sync reads, writes and tells (BudgetService hands its own). */
export interface KeyBudgetSyncOptions {
  ledger: BudgetLedger;
  store: Pick<Store, 'budgets' | 'history' | 'unitOfWork'>;
  clock: Clock;
  /** IANA zone of the budget periods (config `timezone`). */
  timeZone: string;
  log: (line: string) => void;
  /** The record writer's HoldingWriter.hold (store/held-writes.ts): stored spend read in a hold has exactly the calls settled before it. */
  holdWrites?: () => WriteHold;
}

/** The audit action of a raised limit that re-armed alert thresholds. */
const REARMED = 'alerts_rearmed';

/** How many of a key's newest audit entries `rearmRecorded` looks through. */
const TRAIL_LOOKBACK = 50;

/**
 * Whether `trail` (a key's newest audit entries, oldest first) already records this re-arm
 * (`same` on its details: the limit raised to the same value, the same reprice change) since
 * the key's latest change (its newest entry of another action: the `set` of `keys set` or the
 * admin API, a reset): every replica applies that one change and re-arms its own alerts, and
 * another replica wrote the row first. A trail whose every entry is a re-arm (more than
 * TRAIL_LOOKBACK since the last change) counts as not.
 */
function rearmRecorded(trail: ReadonlyArray<Pick<KeyEvent, 'action' | 'details'>>, same: (details: Record<string, unknown>) => boolean): boolean {
  for (let i = trail.length - 1; i >= 0; i--) {
    const e = trail[i]!;
    if (e.action !== REARMED) return false;
    if (same(e.details)) return true;
  }
  return false;
}

const sameBudget = (a: KeyBudget, b: KeyBudget) =>
  a.limitNano === b.limitNano && a.period === b.period && a.soft === b.soft && a.alertAt.length === b.alertAt.length && a.alertAt.every((t, i) => t === b.alertAt[i]);

/**
 * Live key budget changes of a running proxy (on every key reload, also those another
 * process made): applies the active keys' budgets to the ledger, one sync after another,
 * and stores the limits it runs with (restart-limits.ts).
 *
 * `defs` holds the key budgets applied to the ledger, by key name; the service reads the
 * same map (resets, seeding targets), only this class changes it after start.
 */
export class KeyBudgetSync {
  /** The key sync in progress (`sync` chains on it); never rejects. */
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: KeyBudgetSyncOptions,
    readonly defs: Map<string, KeyBudget>,
  ) {}

  /**
   * Applies the active keys' budgets to the ledger: new and changed budgets take effect for
   * the next call, budgets of revoked keys and removed budgets go away. A new budget, or one
   * whose period changed, starts from the key's stored spend in the new window (after the
   * last reset of that window): those apply once that spend is read (in a `holdWrites`
   * hold), the others at once. Calls a key makes meanwhile are metered by the old budget
   * (or none); a changed period adds those settling meanwhile in its new window, which the
   * read lacks (spend-watch.ts): none lost or counted twice. Syncs run one after another.
   * Never rejects (a failure is logged; the old budget stays).
   */
  sync(keys: readonly BudgetedKey[]): Promise<void> {
    const run = this.syncing.then(() => this.applyKeys(keys));
    this.syncing = run;
    return run;
  }

  /** applyKeyBudgets, then stores the limits of the key budgets it added or changed and forgets those it removed (restart-limits.ts). */
  private async applyKeys(keys: readonly BudgetedKey[]): Promise<void> {
    const before = new Map(this.defs);
    await this.applyKeyBudgets(keys);
    await storeLimits(this.o.store.budgets, keyLimitChanges(before, this.defs, this.o.clock()), this.o.log);
  }

  private async applyKeyBudgets(keys: readonly BudgetedKey[]): Promise<void> {
    const { ledger } = this.o;
    try {
      const active = new Set<string>();
      const needSpend: Array<{ name: string; budget: KeyBudget; prev: KeyBudget | undefined }> = [];
      for (const k of keys) {
        if (k.budget === null) continue;
        active.add(k.name);
        const prev = this.defs.get(k.name);
        if (prev !== undefined && sameBudget(prev, k.budget)) continue;
        if (prev === undefined || prev.period !== k.budget.period) {
          needSpend.push({ name: k.name, budget: k.budget, prev });
          continue;
        }
        const rearmed = ledger.setKeyBudget(k.name, k.budget);
        this.defs.set(k.name, k.budget);
        if (prev !== undefined && rearmed.length > 0) await this.recordRearm(k.name, prev, k.budget, rearmed);
      }
      for (const name of [...this.defs.keys()]) {
        if (active.has(name)) continue;
        ledger.setKeyBudget(name, null);
        this.defs.delete(name);
      }
      if (needSpend.length === 0) return;
      // In one turn: the hold cuts the store's read here, the watches count what settles from here until each budget is set.
      const watches = needSpend.map(({ name, budget, prev }) => (prev === undefined ? null : ledger.watchKeySpend(name, budget.period)));
      const hold = this.o.holdWrites?.();
      try {
        await hold?.written;
        const stored: StoredKeySpend[] = [];
        for (const { name, budget } of needSpend) stored.push(await storedKeySpend(this.o.store.budgets, name, budget.period, this.o.clock(), this.o.timeZone));
        hold?.release();
        for (const [i, { name, budget, prev }] of needSpend.entries()) {
          const { spentNano, countsFrom } = stored[i]!;
          const rearmed = ledger.setKeyBudget(name, budget, { spentNano: spentNano + (watches[i]?.nano ?? 0), countsFrom });
          watches[i]?.stop();
          this.defs.set(name, budget);
          if (prev !== undefined && rearmed.length > 0) await this.recordRearm(name, prev, budget, rearmed);
        }
      } finally {
        hold?.release();
        for (const w of watches) w?.stop();
      }
    } catch (error) {
      this.o.log(`could not apply changed key budgets: ${errorMessage(error)}`);
    }
  }

  /**
   * A raised limit re-armed alert thresholds the spend is below again (#18 point 7; the
   * counter marks them re-armed, so they fire again as new alerts, also when the limit is
   * lowered back to the one they fired under: alert-book.ts `take`), and `keys history` gets a row, one per change however many replicas apply it: written under
   * the key's row lock (PostgreSQL; SQLite's write transaction holds the whole file), unless
   * another replica's row for the same raise is there already (rearmRecorded).
   */
  private async recordRearm(name: string, from: KeyBudget, to: KeyBudget, thresholds: number[]): Promise<void> {
    const toUsd = nanoToUsd(to.limitNano);
    const details = { thresholds, limit_usd: { from: nanoToUsd(from.limitNano), to: toUsd }, spent_usd: this.spentUsd(name) };
    await this.appendRearm(name, details, (d) => (d['limit_usd'] as { to?: unknown } | undefined)?.to === toUsd);
  }

  /**
   * Repriced calls (`prices reprice`, changes up to id `throughId`) lowered key `name`'s spend
   * below `thresholds` it had fired (ledger.ts `adjustSpend`): they fire again as new alerts,
   * and `keys history` gets an `alerts_rearmed` row (details `repriced_through`), once however
   * many replicas apply the changes, as for a raised limit. Never rejects (a failure is logged).
   */
  async recordRepriceRearm(name: string, thresholds: number[], throughId: number): Promise<void> {
    try {
      await this.appendRearm(name, { thresholds, repriced_through: throughId, spent_usd: this.spentUsd(name) }, (d) => d['repriced_through'] === throughId);
    } catch (error) {
      this.o.log(`could not record in keys history the alerts that repriced calls re-armed for key '${name}': ${errorMessage(error)}`);
    }
  }

  private spentUsd(name: string): number {
    return nanoToUsd(this.o.ledger.snapshot().find((s) => s.kind === 'key' && s.name === name)?.spentNano ?? 0);
  }

  /** Appends an alerts_rearmed row under the key's row lock, unless the trail since its latest change has one `same` as it. */
  private async appendRearm(name: string, details: Record<string, unknown>, same: (details: Record<string, unknown>) => boolean): Promise<void> {
    await this.o.store.unitOfWork(async (tx) => {
      await tx.keys.lock(name);
      if (rearmRecorded(await tx.history.list({ keyName: name, limit: TRAIL_LOOKBACK }), same)) return;
      await tx.history.append({ ts: this.o.clock(), actor: 'proxy', action: REARMED, keyName: name, details });
    });
  }
}
