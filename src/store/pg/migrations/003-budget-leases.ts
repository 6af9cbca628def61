import { LEASE_CHANNEL } from '../../budget-leases.js';
import type { Migration } from '../../migrations/types.js';

/** v3's tables, as released (never edited). */
const SHARE_TABLES = `
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

`;

/** v3's tokometer_lease_sync, as released (never edited: 004-share-reprices derives v4's from it). */
export const LEASE_SYNC_V3 = `    -- budget/lease-policy.ts grantLease, under the share row's lock, on the server's clock.
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

/**
 * PostgreSQL schema v3: the budget counters replicas share (store/budget-leases.ts):
 * budget_shares (spend reported per budget instance and period), budget_leases (headroom
 * leased per replica, with its expiry) and tokometer_lease_sync. PostgreSQL only: one
 * SQLite process keeps its budgets in memory.
 */
export const pgBudgetLeases: Migration = {
  version: 3,
  name: 'budget_leases',
  up: SHARE_TABLES + LEASE_SYNC_V3,
};
