import { utcMonthOf } from '../rollup-policy.js';
import type { Db } from '../db.js';

/**
 * The monthly partitions of calls (see pg/migrations/001-initial.ts and 002).
 * Created ahead of need (the current month and the next ones, at start and every hour
 * while serving) and on demand for a batch holding an older or later month; retention
 * drops whole months.
 */

/** Months created ahead of the current one. */
export const MONTHS_AHEAD = 2;

/** The UTC month starts (ms) of `timestamps`, ascending, without repeats. */
export function monthsOf(timestamps: Iterable<number>): number[] {
  const months = new Set<number>();
  for (const ts of timestamps) months.add(utcMonthOf(ts));
  return [...months].sort((a, b) => a - b);
}

/**
 * Makes sure the partitions of each month exist, each in its own short statement (never
 * inside a write transaction: creating a partition locks its parent table briefly).
 */
export async function ensureMonths(db: Db, months: readonly number[]): Promise<void> {
  for (const month of months) await db.get('SELECT tokometer_ensure_month(?) AS done', [month]);
}

/** The current UTC month of `now` and the MONTHS_AHEAD after it. */
export async function ensureMonthsAhead(db: Db, now: number): Promise<void> {
  await ensureMonths(db, Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => utcMonthOf(now, i)));
}

/** The months (start, ms) that have a calls partition, ascending. */
export async function partitionMonths(db: Db): Promise<number[]> {
  const rows = await db.all<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'calls'::regclass",
  );
  return rows
    .map((r) => /^calls_p(\d{4})(\d{2})$/.exec(r.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))
    .sort((a, b) => a - b);
}

/**
 * Drops the partition of every month that ends at or before `cutoff` (ms), with the
 * month's call_tag_keys rows, one month per transaction. @returns the months dropped and
 * the calls they held.
 */
export async function dropMonthsBefore(db: Db, cutoff: number): Promise<{ months: number[]; calls: number }> {
  const dropped: number[] = [];
  let calls = 0;
  for (const month of await partitionMonths(db)) {
    if (utcMonthOf(month, 1) > cutoff) break;
    const suffix = new Date(month).toISOString().slice(0, 7).replace('-', '');
    calls += await db.transaction(async (tx) => {
      const n = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM calls_p${suffix}`))?.n ?? 0);
      await tx.run(`DROP TABLE IF EXISTS calls_p${suffix}`);
      await tx.run('DELETE FROM call_tag_keys WHERE month = ?', [month]);
      return n;
    });
    dropped.push(month);
  }
  return { months: dropped, calls };
}
