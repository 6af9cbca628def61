import { LEASE_CHANNEL } from '../../budget-leases.js';
import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v4: `prices reprice` moves the shared budget counters exactly once.
 * Each replica sends the cost changes of repriced calls (reprice_spend ids and deltas) it
 * applied to a budget with its next sync; `budget_shares.repriced_through` is the highest
 * change id already in the row's spend, so the same change sent by every replica counts
 * once. A row created by a sync starts at the sender's `p_seed_through` (the changes its
 * seed spend already holds). Otherwise tokometer_lease_sync is v3's.
 */
export const pgShareReprices: Migration = {
  version: 4,
  name: 'share_reprices',
  up: `
    ALTER TABLE budget_shares ADD COLUMN repriced_through BIGINT NOT NULL DEFAULT 0;
    DROP FUNCTION tokometer_lease_sync(TEXT, BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT);

    -- budget/lease-policy.ts grantLease, under the share row's lock, on the server's clock.
    -- p_reprices: a JSON array of [change id, delta nano-USD] (NULL: none).
    CREATE FUNCTION tokometer_lease_sync(
      p_budget TEXT, p_period_start BIGINT, p_kind TEXT, p_name TEXT, p_tag TEXT, p_seed BIGINT,
      p_limit BIGINT, p_replica TEXT, p_reported BIGINT, p_floor BIGINT, p_need BIGINT, p_want BIGINT,
      p_in_flight BIGINT, p_ttl_ms BIGINT, p_contend_ms BIGINT, p_seed_through BIGINT, p_reprices TEXT
    ) RETURNS TABLE (status TEXT, lease_nano BIGINT, spent_nano BIGINT, others_nano BIGINT, holders INTEGER, contended BOOLEAN)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      now_ms BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
      v_spent BIGINT;
      v_contended_until BIGINT;
      v_through BIGINT;
      v_repriced BIGINT := 0;
      v_last_change BIGINT;
      v_held BIGINT;
      v_others BIGINT;
      v_others_n INTEGER;
      v_keep BIGINT;
      v_grantable BIGINT;
      v_lease BIGINT;
      v_status TEXT;
      v_was_contended BOOLEAN;
    BEGIN
      INSERT INTO budget_shares AS s (budget_id, period_start, kind, name, tag_value, spent_nano, repriced_through)
        VALUES (p_budget, p_period_start, p_kind, p_name, p_tag, p_seed, p_seed_through) ON CONFLICT DO NOTHING;
      SELECT s.spent_nano, s.contended_until, s.repriced_through INTO v_spent, v_contended_until, v_through FROM budget_shares s
        WHERE s.budget_id = p_budget AND s.period_start = p_period_start FOR UPDATE;
      -- Repriced calls' cost changes this row does not hold yet (another replica may have sent them).
      IF p_reprices IS NOT NULL THEN
        SELECT COALESCE(SUM((e->>1)::bigint) FILTER (WHERE (e->>0)::bigint > v_through), 0), MAX((e->>0)::bigint)
          INTO v_repriced, v_last_change FROM jsonb_array_elements(p_reprices::jsonb) e;
        v_spent := GREATEST(0, v_spent + v_repriced);
        v_through := GREATEST(v_through, COALESCE(v_last_change, 0));
      END IF;
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
        UPDATE budget_shares s SET spent_nano = v_spent, repriced_through = v_through, contended_until = now_ms + p_contend_ms
          WHERE s.budget_id = p_budget AND s.period_start = p_period_start;
        -- Tell the holders someone waits: they give back what their calls in flight do not need.
        IF NOT v_was_contended THEN PERFORM pg_notify('${LEASE_CHANNEL}', p_budget); END IF;
      ELSE
        UPDATE budget_shares s SET spent_nano = v_spent, repriced_through = v_through WHERE s.budget_id = p_budget AND s.period_start = p_period_start;
        -- Headroom freed while someone waits (a lease given back, spend reported, a cheaper reprice): tell the waiters.
        IF v_was_contended AND (v_lease < v_held OR p_reported > 0 OR v_repriced < 0) THEN PERFORM pg_notify('${LEASE_CHANNEL}', p_budget); END IF;
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
  `,
};
