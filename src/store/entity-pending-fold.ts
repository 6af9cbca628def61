import type { CallRow } from './call-row.js';
import type { Db } from './db.js';
import { addStoredCall } from './entity-fold.js';
import { PENDING_CALLS_FROM } from './migrations/013-entity-pending.js';
import { anyPending } from './read/report/entity-pending.js';
import { EntitySums } from './rollup-aggregate.js';
import { COUNT_ENTITIES_SQL, UPSERT_ENTITY_SQL, entityParams, newEntityCounts } from './rollup-writer.js';

/**
 * Adds every pending call to the entity rows inside `tx`'s open transaction and empties
 * entity_pending: what a writer of entity rows other than the call writer does first
 * (repricing moves measures of stored calls, so their entity rows must hold them).
 * Nothing on PostgreSQL, or on a SQLite database from before schema v13.
 */
export async function foldPendingEntities(tx: Db): Promise<void> {
  if (!(await anyPending(tx))) return;
  const sums = new EntitySums();
  for (const row of await tx.all<CallRow>(`SELECT c.* FROM ${PENDING_CALLS_FROM}`)) addStoredCall(sums, row);
  const cells = sums.cells();
  const rowCalls: number[] = [];
  for (const e of cells) rowCalls.push(Number((await tx.get<{ calls: number }>(UPSERT_ENTITY_SQL, entityParams(e)))!.calls));
  for (const c of newEntityCounts(cells, rowCalls)) await tx.run(COUNT_ENTITIES_SQL, c);
  await tx.run('DELETE FROM entity_pending');
}
