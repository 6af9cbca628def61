/**
 * True when a statement failed on a UNIQUE or PRIMARY KEY constraint: SQLite's extended
 * codes (better-sqlite3 and bun:sqlite both put them in `code`) or PostgreSQL's SQLSTATE 23505.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** True when SQLite refused a statement because another connection holds the lock it needs (SQLITE_BUSY, or an extended BUSY code). */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
