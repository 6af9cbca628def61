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
 * replica waits for some.
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
  /** The period's spend known to this replica from the call log: the row's spend if it is new. */
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
  /** Clears the shared spend of a reset budget's current period (`tagValue` undefined: every instance). */
  reset(kind: StoredBudgetKind, name: string, tagValue: string | null | undefined, periodStart: number): Promise<void>;
  /** Every lease row of a budget instance (all instances when `budgetId` is omitted). */
  leases(budgetId?: string): Promise<StoredLease[]>;
  /** The shared row's spend of a budget instance in a period; null when no replica made it yet. */
  sharedSpent(budgetId: string, periodStart: number): Promise<NanoUsd | null>;
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

/** The channel freed headroom is announced on. */
export const LEASE_CHANNEL = 'tokometer_leases';

/** The PostgreSQL DDL of the shared counters (migration 2 of the PostgreSQL schema). */
export const BUDGET_LEASES_DDL = `
    CREATE TABLE budget_shares (
      budget_id TEXT NOT NULL,
      period_start BIGINT NOT NULL,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      tag_value TEXT,
      spent_nano BIGINT NOT NULL,
      contended_until BIGINT NOT NULL DEFAULT 0,
      PRIMARY KEY (budget_id, period_start)
    );
    CREATE INDEX budget_shares_name ON budget_shares (kind, name, period_start);
    CREATE TABLE budget_leases (
      budget_id TEXT NOT NULL,
      period_start BIGINT NOT NULL,
      replica TEXT NOT NULL,
      lease_nano BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (budget_id, period_start, replica)
    );

    -- budget/lease-policy.ts grantLease, under the share row's lock, on the server's clock.
    CREATE FUNCTION tokometer_lease_sync(
      p_budget TEXT, p_period_start BIGINT, p_kind TEXT, p_name TEXT, p_tag TEXT, p_seed BIGINT,
      p_limit BIGINT, p_replica TEXT, p_reported BIGINT, p_floor BIGINT, p_need BIGINT, p_want BIGINT,
      p_in_flight BIGINT, p_ttl_ms BIGINT, p_contend_ms BIGINT
    ) RETURNS TABLE (status TEXT, lease_nano BIGINT, spent_nano BIGINT, others_nano BIGINT, holders INTEGER, contended BOOLEAN)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      now_ms BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
      v_spent BIGINT;
      v_contended_until BIGINT;
      v_held BIGINT;
      v_others BIGINT;
      v_others_n INTEGER;
      v_keep BIGINT;
      v_grantable BIGINT;
      v_lease BIGINT;
      v_status TEXT;
      v_was_contended BOOLEAN;
    BEGIN
      INSERT INTO budget_shares AS s (budget_id, period_start, kind, name, tag_value, spent_nano)
        VALUES (p_budget, p_period_start, p_kind, p_name, p_tag, p_seed) ON CONFLICT DO NOTHING;
      SELECT s.spent_nano, s.contended_until INTO v_spent, v_contended_until FROM budget_shares s
        WHERE s.budget_id = p_budget AND s.period_start = p_period_start FOR UPDATE;
      -- A lease not renewed in time goes back to the room (its replica died or was cut off).
      DELETE FROM budget_leases l WHERE l.budget_id = p_budget AND l.period_start = p_period_start AND l.expires_at <= now_ms;
      SELECT COALESCE(SUM(l.lease_nano) FILTER (WHERE l.replica <> p_replica), 0),
             COUNT(*) FILTER (WHERE l.replica <> p_replica AND l.lease_nano > 0),
             COALESCE(MAX(l.lease_nano) FILTER (WHERE l.replica = p_replica), 0)
        INTO v_others, v_others_n, v_held
        FROM budget_leases l WHERE l.budget_id = p_budget AND l.period_start = p_period_start;
      v_was_contended := v_contended_until > now_ms;
      v_spent := v_spent + p_reported;
      v_held := GREATEST(0, v_held - p_reported);
      v_keep := LEAST(v_held, p_floor);
      IF v_spent >= p_limit THEN
        v_status := 'spent';
        v_lease := v_keep;
      ELSE
        v_grantable := GREATEST(v_keep, p_limit - v_spent - v_others);
        IF p_need <= v_grantable THEN
          v_status := 'granted';
          v_lease := GREATEST(v_keep, LEAST(GREATEST(p_want, p_need), v_grantable));
        ELSIF v_others = 0 AND p_in_flight = 0 AND p_need > 0 THEN
          v_status := 'overdraft';
          v_lease := p_need;
        ELSE
          v_status := 'short';
          v_lease := v_keep;
        END IF;
      END IF;
      IF v_status = 'short' THEN
        UPDATE budget_shares s SET spent_nano = v_spent, contended_until = now_ms + p_contend_ms
          WHERE s.budget_id = p_budget AND s.period_start = p_period_start;
        -- Tell the holders someone waits: they give back what their calls in flight do not need.
        IF NOT v_was_contended THEN PERFORM pg_notify('${LEASE_CHANNEL}', p_budget); END IF;
      ELSE
        UPDATE budget_shares s SET spent_nano = v_spent WHERE s.budget_id = p_budget AND s.period_start = p_period_start;
        -- Headroom freed while someone waits: tell the waiters.
        IF v_was_contended AND (v_lease < v_held OR p_reported > 0) THEN PERFORM pg_notify('${LEASE_CHANNEL}', p_budget); END IF;
      END IF;
      IF v_lease > 0 THEN
        INSERT INTO budget_leases AS l (budget_id, period_start, replica, lease_nano, expires_at)
          VALUES (p_budget, p_period_start, p_replica, v_lease, now_ms + p_ttl_ms)
          ON CONFLICT (budget_id, period_start, replica) DO UPDATE SET lease_nano = excluded.lease_nano, expires_at = excluded.expires_at;
      ELSE
        DELETE FROM budget_leases l WHERE l.budget_id = p_budget AND l.period_start = p_period_start AND l.replica = p_replica;
      END IF;
      RETURN QUERY SELECT v_status, v_lease, v_spent, v_others, v_others_n + (CASE WHEN v_lease > 0 THEN 1 ELSE 0 END), v_was_contended;
    END
    $fn$;
`;

interface SyncRow {
  status: LeaseSyncResult['status'];
  lease_nano: number;
  spent_nano: number;
  others_nano: number;
  holders: number;
  contended: boolean;
}

/** The shared counters on a PostgreSQL pool (statements through the Db seam; LISTEN on the pool's client). */
export function budgetLeaseStore(db: PostgresDb): BudgetLeaseStore {
  return {
    async sync(ref, r) {
      const row = await db.get<SyncRow>('SELECT * FROM tokometer_lease_sync(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
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
      ]);
      if (row === undefined) throw new Error('tokometer_lease_sync returned no row');
      return {
        status: row.status,
        leaseNano: Number(row.lease_nano),
        spentNano: Number(row.spent_nano),
        othersNano: Number(row.others_nano),
        holders: Number(row.holders),
        contended: row.contended === true,
      };
    },

    async reset(kind, name, tagValue, periodStart) {
      if (tagValue === undefined) {
        await db.run('UPDATE budget_shares SET spent_nano = 0 WHERE kind = ? AND name = ? AND period_start = ?', [kind, name, periodStart]);
      } else {
        await db.run('UPDATE budget_shares SET spent_nano = 0 WHERE budget_id = ? AND period_start = ?', [sharedBudgetId(kind, name, tagValue), periodStart]);
      }
    },

    async leases(budgetId) {
      const rows = await db.all<{ budget_id: string; period_start: number; replica: string; lease_nano: number; expires_at: number }>(
        `SELECT budget_id, period_start, replica, lease_nano, expires_at FROM budget_leases${budgetId === undefined ? '' : ' WHERE budget_id = ?'} ORDER BY budget_id, period_start, replica`,
        budgetId === undefined ? [] : [budgetId],
      );
      return rows.map((r) => ({ budgetId: r.budget_id, periodStart: Number(r.period_start), replica: r.replica, leaseNano: Number(r.lease_nano), expiresAt: Number(r.expires_at) }));
    },

    async sharedSpent(budgetId, periodStart) {
      const row = await db.get<{ spent_nano: number }>('SELECT spent_nano FROM budget_shares WHERE budget_id = ? AND period_start = ?', [budgetId, periodStart]);
      return row === undefined ? null : Number(row.spent_nano);
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
