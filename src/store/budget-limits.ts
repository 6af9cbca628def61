import type { Db } from './db.js';
import type { BudgetLimitRecord, BudgetStore } from './types.js';

interface LimitRow {
  kind: BudgetLimitRecord['kind'];
  budget: string;
  per: string | null;
  limit_nano: number;
  period: BudgetLimitRecord['period'];
  alert_at: string;
  seen_at: number;
}

/** The stored thresholds; a text that is not a JSON array of numbers reads as none (a restart then takes the thresholds as changed: silent). */
function thresholds(text: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((t) => typeof t === 'number') ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * Table budget_limits (SQLite v16, PostgreSQL v10): the definition serve last ran each
 * budget with, one row per (kind, budget). Read once at start (budget/service.ts), written
 * then and when a key budget changes while serving. Table budget_reprices_seen (SQLite
 * v18, PostgreSQL v13): the newest reprice change the budgets had applied, one row.
 */
export function budgetLimitRecords(db: Db): Pick<BudgetStore, 'budgetLimits' | 'recordBudgetLimits' | 'repricesSeen' | 'recordRepricesSeen'> {
  return {
    async budgetLimits() {
      const rows = await db.all<LimitRow>('SELECT kind, budget, per, limit_nano, period, alert_at, seen_at FROM budget_limits ORDER BY kind, budget');
      return rows.map((r) => ({
        kind: r.kind,
        budget: r.budget,
        per: r.per,
        limitNano: Number(r.limit_nano),
        period: r.period,
        alertAt: thresholds(r.alert_at),
        seenAt: Number(r.seen_at),
      }));
    },

    async recordBudgetLimits(records, forget) {
      if (records.length === 0 && forget.length === 0) return;
      await db.transaction(async (tx) => {
        for (const f of forget) await tx.run('DELETE FROM budget_limits WHERE kind = ? AND budget = ?', [f.kind, f.budget]);
        for (const r of records) {
          await tx.run(
            `INSERT INTO budget_limits (kind, budget, per, limit_nano, period, alert_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (kind, budget) DO UPDATE SET per = excluded.per, limit_nano = excluded.limit_nano, period = excluded.period, alert_at = excluded.alert_at, seen_at = excluded.seen_at`,
            [r.kind, r.budget, r.per, r.limitNano, r.period, JSON.stringify(r.alertAt), r.seenAt],
          );
        }
      });
    },

    async repricesSeen() {
      const row = await db.get<{ change_id: number }>('SELECT change_id FROM budget_reprices_seen WHERE id = 1');
      return row === undefined ? null : Number(row.change_id);
    },

    async recordRepricesSeen(changeId, at) {
      await db.run(
        `INSERT INTO budget_reprices_seen (id, change_id, seen_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at,
           change_id = CASE WHEN excluded.change_id > budget_reprices_seen.change_id THEN excluded.change_id ELSE budget_reprices_seen.change_id END`,
        [changeId, at],
      );
    },
  };
}
