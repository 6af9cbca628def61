import type { NanoUsd } from '../lib/money.js';
import type { PostgresDb } from './drivers/postgres.js';
import type { StoredBudgetKind } from './records.js';

/**
 * The shared budget counters of replicas on one PostgreSQL (issue #16 point 4): one row
 * per budget instance and period (`budget_shares`: the spend the replicas reported) and
 * one row per replica holding a lease on it (`budget_leases`: headroom leased, expiring
 * unless renewed). `tokometer_lease_sync` applies budget/lease-policy.ts `grantLease` in
 * one statement under the share row's lock, on PostgreSQL's clock; it announces freed
 * headroom on the channel `tokometer_leases` (payload: the budget id) while another
 * replica waits for some. Repriced calls' cost changes reach the row once however many
 * replicas send them (`repriced_through`, PostgreSQL migration 4). An admin reset stamps
 * the row (`reset_at`, migration 9; budget/lease-policy.ts `meetReset`): a sync from a
 * replica that did not know of it yet counts no report, so spend cleared by the reset
 * never comes back, whichever order the reset and the syncs around it reach PostgreSQL.
 * A share's first sync sends its seed (its call log's spend of the period): a new row
 * starts from it, an existing one is lifted to it when lower (migration 10;
 * budget/lease-policy.ts `meetSeed`), so spend recorded and never reported (a budget
 * removed and re-added) counts.
 */

/** One budget instance in one period, as the shared row names it. */
export interface SharedBudgetRef {
  /** Unique per instance: `sharedBudgetId(kind, name, tagValue)`. */
  id: string;
  kind: StoredBudgetKind;
  name: string;
  tagValue: string | null;
  /** Start of the period, ms. */
  periodStart: number;
}

/** One sync (budget/lease-policy.ts LeaseRequest, plus what the row needs to exist). */
export interface LeaseSyncRequest {
  replica: string;
  limitNano: NanoUsd;
  /**
   * The period's spend known to this replica from the call log, after the reset `resetAt`
   * (0 once its share synced): the row's spend if it is new, its least spend otherwise.
   */
  seedNano: NanoUsd;
  reportedNano: NanoUsd;
  floorNano: NanoUsd;
  needNano: NanoUsd;
  wantNano: NanoUsd;
  inFlightNano: NanoUsd;
  /** Lifetime of the lease from now on PostgreSQL's clock, ms. */
  ttlMs: number;
  /** How long a `short` answer marks the row contended, ms. */
  contendMs: number;
  /** The newest reprice change id `seedNano` already holds (default 0). */
  seedRepricedThrough?: number;
  /** Repriced calls' cost changes for this budget not yet sent: [reprice_spend id, delta nano-USD (may be < 0)], ids ascending. */
  reprices?: ReadonlyArray<readonly [number, NanoUsd]>;
  /** The newest admin reset of this period the replica knows, ms (0 or omitted: none): lease-policy.ts `meetReset`. */
  resetAt?: number;
}

export interface LeaseSyncResult {
  status: 'granted' | 'overdraft' | 'short' | 'spent';
  leaseNano: NanoUsd;
  /** The row's spend after the report. */
  spentNano: NanoUsd;
  /** Σ of the other replicas' unexpired leases. */
  othersNano: NanoUsd;
  /** Replicas holding a lease now, this one included. */
  holders: number;
  /** Another replica waited for headroom lately. */
  contended: boolean;
  /** The row's newest admin reset of the period after the sync, ms (0: none); never below the request's `resetAt`. */
  resetAt: number;
}

/** One instance's shared row in one period, as `sharedRows` reads it. */
export interface SharedRow {
  /** The spend the replicas reported since the row's last admin reset, nano-USD. */
  spentNano: NanoUsd;
  /** The row's newest admin reset of the period, ms (0: none): a replica that knows an older one counts spend the reset cleared. */
  resetAt: number;
}

/** A lease as stored (tests, the bench, `GET /admin/budgets` on PostgreSQL). */
export interface StoredLease {
  budgetId: string;
  periodStart: number;
  replica: string;
  leaseNano: NanoUsd;
  expiresAt: number;
}

/** The shared counters' store; only on PostgreSQL. */
export interface BudgetLeaseStore {
  sync(ref: SharedBudgetRef, req: LeaseSyncRequest): Promise<LeaseSyncResult>;
  /**
   * Clears the shared spend of a reset budget's current period at `resetAt` (ms; `tagValue`
   * undefined: every instance with a row). A row already at a reset as new is left alone
   * (a sync of the resetting replica applied it first: lease-policy.ts `meetReset`). One
   * instance gets its row even when no replica made it yet (a replica's first sync then
   * does not seed it with the spend cleared).
   * @returns the spend each row held when it was cleared, nano-USD, by budget id (rows left alone are absent).
   */
  reset(kind: StoredBudgetKind, name: string, tagValue: string | null | undefined, periodStart: number, resetAt: number): Promise<Map<string, NanoUsd>>;
  /** Every lease row of a budget instance (all instances when `budgetId` is omitted). */
  leases(budgetId?: string): Promise<StoredLease[]>;
  /** The newest reprice spend change id (reprice_spend), 0 when none: read before a replica seeds its budgets. */
  latestRepriceChange(): Promise<number>;
  /** The shared row's spend of a budget instance in a period; null when no replica made it yet. */
  sharedSpent(budgetId: string, periodStart: number): Promise<NanoUsd | null>;
  /** The shared rows of every instance of a budget in a period (each `per` value any replica synced), with their tag values. */
  sharedInstances(kind: StoredBudgetKind, name: string, periodStart: number): Promise<Array<SharedRow & { tagValue: string | null }>>;
  /** The shared rows of many instances in one read per SHARED_SPENT_CHUNK: a map from `sharedRowKey(budgetId, periodStart)` to the row; instances without a row are absent. */
  sharedRows(instances: ReadonlyArray<{ budgetId: string; periodStart: number }>): Promise<Map<string, SharedRow>>;
  /**
   * Calls `onFreed(budgetId)` when a replica frees headroom someone waits for, and
   * `onReconnect` each time the listening connection is back after a loss (notices may
   * have been missed). Resolves once listening; the result stops it.
   */
  listen(onFreed: (budgetId: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
}

/** The id of a budget instance in the shared rows (unambiguous for any name and tag value). */
export function sharedBudgetId(kind: StoredBudgetKind, name: string, tagValue: string | null): string {
  return JSON.stringify([kind, name, tagValue]);
}

/** The key of one instance's row in a period in the map `sharedRows` answers. */
export function sharedRowKey(budgetId: string, periodStart: number): string {
  return `${periodStart}:${budgetId}`;
}

/** Instances per statement of `sharedRows` (two parameters each, well below PostgreSQL's 65 535). */
const SHARED_SPENT_CHUNK = 500;

/** The channel freed headroom is announced on. */
export const LEASE_CHANNEL = 'tokometer_leases';


interface SyncRow {
  status: LeaseSyncResult['status'];
  lease_nano: number;
  spent_nano: number;
  others_nano: number;
  holders: number;
  contended: boolean;
  reset_at: number;
}

/** The shared counters on a PostgreSQL pool (statements through the Db seam; LISTEN on the pool's client). */
export function budgetLeaseStore(db: PostgresDb): BudgetLeaseStore {
  return {
    async sync(ref, r) {
      const row = await db.get<SyncRow>('SELECT * FROM tokometer_lease_sync(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        ref.id,
        ref.periodStart,
        ref.kind,
        ref.name,
        ref.tagValue,
        whole(r.seedNano),
        whole(r.limitNano),
        r.replica,
        whole(r.reportedNano),
        whole(r.floorNano),
        whole(r.needNano),
        whole(r.wantNano),
        whole(r.inFlightNano),
        Math.ceil(r.ttlMs),
        Math.ceil(r.contendMs),
        r.seedRepricedThrough ?? 0,
        r.reprices === undefined || r.reprices.length === 0 ? null : JSON.stringify(r.reprices.map(([id, delta]) => [id, Math.round(delta)])),
        whole(r.resetAt ?? 0),
      ]);
      if (row === undefined) throw new Error('tokometer_lease_sync returned no row');
      return {
        status: row.status,
        leaseNano: Number(row.lease_nano),
        spentNano: Number(row.spent_nano),
        othersNano: Number(row.others_nano),
        holders: Number(row.holders),
        contended: row.contended === true,
        resetAt: Number(row.reset_at),
      };
    },

    async reset(kind, name, tagValue, periodStart, resetAt) {
      const at = whole(resetAt);
      if (tagValue === undefined) {
        // The spend each row held is read under the row's lock, in the statement that clears it.
        const rows = await db.all<{ budget_id: string; cleared_nano: number | string }>(
          `UPDATE budget_shares AS s SET spent_nano = 0, reset_at = ?
             FROM (SELECT budget_id, period_start, spent_nano FROM budget_shares WHERE kind = ? AND name = ? AND period_start = ? AND reset_at < ? FOR UPDATE) AS o
             WHERE s.budget_id = o.budget_id AND s.period_start = o.period_start
             RETURNING s.budget_id, o.spent_nano AS cleared_nano`,
          [at, kind, name, periodStart, at],
        );
        return new Map(rows.map((r) => [r.budget_id, Number(r.cleared_nano)]));
      }
      const id = sharedBudgetId(kind, name, tagValue);
      return db.transaction(async (tx) => {
        const old = await tx.get<{ spent_nano: number | string; reset_at: number | string }>('SELECT spent_nano, reset_at FROM budget_shares WHERE budget_id = ? AND period_start = ? FOR UPDATE', [id, periodStart]);
        if (old !== undefined && Number(old.reset_at) >= at) return new Map<string, NanoUsd>();
        await tx.run(
          `INSERT INTO budget_shares AS s (budget_id, period_start, kind, name, tag_value, spent_nano, reset_at) VALUES (?, ?, ?, ?, ?, 0, ?)
             ON CONFLICT (budget_id, period_start) DO UPDATE SET spent_nano = 0, reset_at = excluded.reset_at WHERE s.reset_at < excluded.reset_at`,
          [id, periodStart, kind, name, tagValue, at],
        );
        return new Map([[id, old === undefined ? 0 : Number(old.spent_nano)]]);
      });
    },

    async leases(budgetId) {
      const rows = await db.all<{ budget_id: string; period_start: number; replica: string; lease_nano: number; expires_at: number }>(
        `SELECT budget_id, period_start, replica, lease_nano, expires_at FROM budget_leases${budgetId === undefined ? '' : ' WHERE budget_id = ?'} ORDER BY budget_id, period_start, replica`,
        budgetId === undefined ? [] : [budgetId],
      );
      return rows.map((r) => ({ budgetId: r.budget_id, periodStart: Number(r.period_start), replica: r.replica, leaseNano: Number(r.lease_nano), expiresAt: Number(r.expires_at) }));
    },

    async latestRepriceChange() {
      const row = await db.get<{ id: number | string | null }>('SELECT MAX(id) AS id FROM reprice_spend');
      return Number(row?.id ?? 0);
    },

    async sharedSpent(budgetId, periodStart) {
      const row = await db.get<{ spent_nano: number }>('SELECT spent_nano FROM budget_shares WHERE budget_id = ? AND period_start = ?', [budgetId, periodStart]);
      return row === undefined ? null : Number(row.spent_nano);
    },

    async sharedRows(instances) {
      const found = new Map<string, SharedRow>();
      for (let i = 0; i < instances.length; i += SHARED_SPENT_CHUNK) {
        const chunk = instances.slice(i, i + SHARED_SPENT_CHUNK);
        const rows = await db.all<{ budget_id: string; period_start: number; spent_nano: number; reset_at: number }>(
          `SELECT budget_id, period_start, spent_nano, reset_at FROM budget_shares WHERE (budget_id, period_start) IN (${chunk.map(() => '(?, ?)').join(', ')})`,
          chunk.flatMap((c) => [c.budgetId, c.periodStart]),
        );
        for (const r of rows) found.set(sharedRowKey(r.budget_id, Number(r.period_start)), { spentNano: Number(r.spent_nano), resetAt: Number(r.reset_at) });
      }
      return found;
    },

    async sharedInstances(kind, name, periodStart) {
      const rows = await db.all<{ tag_value: string | null; spent_nano: number | string; reset_at: number | string }>(
        'SELECT tag_value, spent_nano, reset_at FROM budget_shares WHERE kind = ? AND name = ? AND period_start = ? ORDER BY tag_value',
        [kind, name, periodStart],
      );
      return rows.map((r) => ({ tagValue: r.tag_value, spentNano: Number(r.spent_nano), resetAt: Number(r.reset_at) }));
    },

    async listen(onFreed, onReconnect) {
      let first = true;
      const request = await db.sql.listen(LEASE_CHANNEL, onFreed, () => {
        if (first) first = false;
        else onReconnect();
      });
      return () => request.unlisten();
    },
  };
}

/** A money amount as a whole non-negative number of nano-USD for a BIGINT parameter. */
function whole(n: number): number {
  return n > 0 ? Math.min(Math.ceil(n), Number.MAX_SAFE_INTEGER) : 0;
}
