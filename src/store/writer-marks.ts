import type { SqlDriver, WriterMark } from './types.js';

/**
 * The writer_marks table (migration 007): how far each run of the call-record writer has
 * handled. The mark is written by CallWriter.insertCalls (call-writer.ts) in the same transaction as the
 * records it covers, so "written" and "marked" can never disagree, whenever a thread dies.
 */

/** Upserts a run's mark (parameters: run, handled, at). */
export const UPSERT_MARK_SQL = 'INSERT INTO writer_marks (run, handled, at) VALUES (?, ?, ?) ON CONFLICT (run) DO UPDATE SET handled = excluded.handled, at = excluded.at';

/**
 * The mark row of spill file `id` (spill.ts): `handled` counts the file's records, in file
 * order, that the database holds. Written with those records; deleted after the file is.
 */
export function spillMarkRun(id: string): string {
  return `spill:${id}`;
}

/** Marks not updated for this long (ms) belong to runs that ended without closing. */
const STALE_AFTER_MS = 24 * 3600_000;

/** Binds a mark for UPSERT_MARK_SQL. */
export function markParams(mark: WriterMark): [string, number, number] {
  return [mark.run, mark.handled, mark.at];
}

/** The run's mark in the database; 0 when it has none. */
export function storedMark(driver: SqlDriver, run: string): number {
  return driver.prepare('SELECT handled FROM writer_marks WHERE run = ?').get<{ handled: number }>(run)?.handled ?? 0;
}

/** Deletes the run's mark (it closed: its records are all handled and it never posts again). */
export function forgetMark(driver: SqlDriver, run: string): void {
  driver.prepare('DELETE FROM writer_marks WHERE run = ?').run(run);
}

/**
 * Deletes the marks of runs that ended without closing (never a spill file's: that file may
 * wait for days, e.g. while the proxy is stopped); run by a closing writer, so that
 * starting one never needs the write lock). Safe for a live run too: a mark only matters
 * while records it covers are unconfirmed on the main thread, which is less than a status
 * interval after a commit, and every commit refreshes `at`.
 */
export function forgetStaleMarks(driver: SqlDriver, now: number): void {
  driver.prepare("DELETE FROM writer_marks WHERE at < ? AND run NOT LIKE 'spill:%'").run(now - STALE_AFTER_MS);
}
