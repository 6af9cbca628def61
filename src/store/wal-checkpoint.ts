import { openDriverToWrite } from './open.js';
import type { OpenDriver } from './types.js';

/**
 * Moves every page of a SQLite database's WAL into the database file and truncates the
 * `-wal` to zero bytes: `PRAGMA wal_checkpoint(TRUNCATE)` on a connection of its own
 * (https://sqlite.org/pragma.html#pragma_wal_checkpoint; its one row is busy, log,
 * checkpointed, busy = 1 when a reader or writer kept it from finishing).
 *
 * Closing the last connection does this too, and deletes the WAL; but bun:sqlite leaves a
 * connection open ("zombie", drivers/bun-sqlite.ts) while one of its statements is alive,
 * and a connection open at exit neither checkpoints nor deletes it. A program that wants
 * the file complete when it ends, whoever still holds a connection (the demo), calls this
 * once its writes are committed. `openDriver` is the edges' getter of this runtime's SQLite
 * driver. Resolves to false when the checkpoint could not finish.
 */
export async function checkpointWal(path: string, openDriver: () => Promise<OpenDriver>): Promise<boolean> {
  const driver = openDriverToWrite(await openDriver(), path);
  try {
    const row = driver.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get<{ busy: number }>();
    return row?.busy === 0;
  } finally {
    driver.close();
  }
}
