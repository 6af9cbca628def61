import type { Db } from './db.js';
import { isBusy } from './sql-errors.js';
import type { AlertRecord, BudgetResetRecord, BudgetStore, SqlValue } from './types.js';

/**
 * An alert is stored from the settle of the call that crossed its threshold, on serve's
 * main thread: it never waits there for a lock another process holds (`prices reprice`,
 * `keys create`), which would stall every call in flight for the busy timeout. A busy
 * database is tried again after 50 ms, then twice as long each time up to 1 s, for at most
 * 5 minutes; then the insert's error is the caller's (it logs it).
 */
const ALERT_RETRY_FIRST_MS = 50;
const ALERT_RETRY_MAX_MS = 1_000;
const ALERT_RETRY_FOR_MS = 5 * 60_000;

/** SQLite binds at most 64-bit integers: open-ended bounds (±Infinity) become the largest safe ms. */
export const boundMs = (t: number): number => Math.min(Math.max(t, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);

interface AlertRow {
  kind: AlertRecord['kind'];
  budget: string;
  tag_value: string | null;
  threshold: number;
  period: AlertRecord['period'];
  period_start: number;
  armed_from: number;
  spent_nano: number;
  limit_nano: number;
  soft: number;
  fired_at: number;
}

interface ResetRow {
  kind: BudgetResetRecord['kind'];
  budget: string;
  tag_value: string | null;
  all_values: number;
  period: BudgetResetRecord['period'];
  period_start: number;
  reset_at: number;
  by: BudgetResetRecord['by'];
}

/**
 * Tables alerts (schema v2, one row per alert since v20) and budget_resets (v2): the alerts that fired and the operator
 * resets, what a restarted proxy reloads so it neither repeats an alert nor brings back
 * spend an operator cleared. Flags are stored 0/1; `by` is quoted (a keyword in PostgreSQL).
 */
export function budgetRecords(db: Db): Pick<BudgetStore, 'recordAlert' | 'alerts' | 'recordReset' | 'resets'> {
  return {
    async recordAlert(a) {
      // The alert's identity is unique (schema v20): a second write of it changes nothing.
      const insert = () =>
        db.runNoWait(
          `INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, armed_from, spent_nano, limit_nano, soft, fired_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [a.kind, a.budget, a.tagValue, a.threshold, a.period, a.periodStart, a.armedFrom, a.spentNano, a.limitNano, a.soft ? 1 : 0, a.firedAt],
        );
      const giveUpAt = Date.now() + ALERT_RETRY_FOR_MS;
      for (let wait = ALERT_RETRY_FIRST_MS; ; wait = Math.min(wait * 2, ALERT_RETRY_MAX_MS)) {
        try {
          return (await insert()).changes === 1;
        } catch (error) {
          if (!isBusy(error) || Date.now() + wait > giveUpAt) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },

    async alerts(options = {}) {
      const params: SqlValue[] = [boundMs(options.periodStartFrom ?? 0)];
      let recent = 'SELECT * FROM alerts WHERE period_start >= ? ORDER BY id DESC';
      if (options.limit !== undefined) {
        recent += ' LIMIT ?';
        params.push(options.limit);
      }
      const rows = await db.all<AlertRow>(`SELECT * FROM (${recent}) AS recent ORDER BY id`, params);
      return rows.map((r) => ({
        kind: r.kind,
        budget: r.budget,
        tagValue: r.tag_value,
        threshold: Number(r.threshold),
        period: r.period,
        periodStart: Number(r.period_start),
        armedFrom: Number(r.armed_from),
        spentNano: Number(r.spent_nano),
        limitNano: Number(r.limit_nano),
        soft: Number(r.soft) === 1,
        firedAt: Number(r.fired_at),
      }));
    },

    async recordReset(r) {
      await db.run(
        'INSERT INTO budget_resets (kind, budget, tag_value, all_values, period, period_start, reset_at, "by") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [r.kind, r.budget, r.tagValue, r.allValues ? 1 : 0, r.period, r.periodStart, r.resetAt, r.by],
      );
    },

    async resets(since) {
      const rows = await db.all<ResetRow>(
        'SELECT kind, budget, tag_value, all_values, period, period_start, reset_at, "by" FROM budget_resets WHERE reset_at >= ? ORDER BY reset_at, id',
        [boundMs(since)],
      );
      return rows.map((r) => ({
        kind: r.kind,
        budget: r.budget,
        tagValue: r.tag_value,
        allValues: Number(r.all_values) === 1,
        period: r.period,
        periodStart: Number(r.period_start),
        resetAt: Number(r.reset_at),
        by: r.by,
      }));
    },
  };
}
