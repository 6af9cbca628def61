import { monotonicMs } from '../lib/clock.js';
import type { CallRow } from './call-row.js';
import { rowToCall } from './call-row-reader.js';
import { callMeasures } from './measures.js';
import { ANY_PENDING_SQL, PENDING_CALLS_FROM } from './migrations/013-entity-pending.js';
import { EntitySums, rolledCall, type EntityCell } from './rollup-aggregate.js';
import type { RollupWriter } from './rollup-writer.js';
import type { SqlDriver, SqlStatement } from './types.js';

/**
 * How long (ms) serve's call writer keeps entity rows in memory before it writes them.
 * A user with calls in every flush (50 ms apart) has its rows upserted once per this
 * instead of once per flush (bench/README.md, "Writes": the entity fold).
 */
export const DEFAULT_ENTITY_HOLD_MS = 1000;

/** Cells held at most; a fold this large is written whatever its age (~300 bytes each). */
export const MAX_HELD_ENTITY_CELLS = 50_000;

/** [first_id, last_id] of one write transaction's calls. */
type IdRange = readonly [number, number];

/**
 * The SQLite call writer's entity rows (user_id, session_id: entity-sums.ts EntitySums),
 * summed across write transactions and written together by the first transaction that
 * finds the oldest of them `holdMs` old (or MAX_HELD_ENTITY_CELLS held), and when the
 * writer closes; a writer that goes idle is asked to write them in a transaction of their
 * own once they are due (`dueInMs`: CallWriter.writeHeldEntities). Until they
 * are written each transaction records its calls' ids in entity_pending
 * (migrations/013-entity-pending.ts), and readers add those calls.
 *
 * Written only from what the database holds: when entity_pending lists exactly this
 * writer's transactions, the fold is what they add. Otherwise another connection folded
 * or added pending calls (repricing, a second writer, a writer that stopped without
 * writing its fold), so the fold is dropped and every pending call is read back from
 * `calls` and summed again. A failed transaction drops the fold too (`abandon`): its
 * committed predecessors are still pending and are read back the same way.
 */
export class EntityFold {
  private held = new EntitySums();
  /** This writer's transactions recorded in entity_pending (and summed in `held`), oldest first. */
  private ranges: IdRange[] = [];
  /** `held.added` when the last transaction ended: a transaction added entity rows when it grew. */
  private counted = 0;
  /** When the oldest of them was summed (monotonic ms), undefined when none. */
  private since: number | undefined;
  /**
   * The database may hold pending calls this writer does not: at start (a writer that
   * stopped without writing its fold), after a failed transaction. The next transaction
   * then writes whatever is pending, held or not.
   */
  private unsure = true;
  private readonly st: Record<'recordPending' | 'listPending' | 'anyPending' | 'clearPending' | 'pendingCalls', SqlStatement>;

  constructor(
    driver: SqlDriver,
    private readonly rollups: Pick<RollupWriter, 'writeEntities'>,
    private readonly holdMs: number,
    private readonly now: () => number = monotonicMs,
  ) {
    this.st = {
      recordPending: driver.prepare('INSERT INTO entity_pending (first_id, last_id) VALUES (?, ?)'),
      listPending: driver.prepare('SELECT first_id, last_id FROM entity_pending ORDER BY first_id'),
      anyPending: driver.prepare(ANY_PENDING_SQL),
      clearPending: driver.prepare('DELETE FROM entity_pending'),
      pendingCalls: driver.prepare(`SELECT c.* FROM ${PENDING_CALLS_FROM}`),
    };
  }

  /** Where a transaction sums its entity rows (RollupWriter.add's entitiesInto). */
  get sums(): EntitySums {
    return this.held;
  }

  /**
   * Inside the write transaction of calls `first`..`last`, after their rollups were summed
   * into `sums`: records them as pending when they added entity rows, and writes the fold
   * when it is due. @returns what to run after COMMIT.
   */
  afterBatch(first: number, last: number): () => void {
    const addedEntities = this.held.added > this.counted;
    this.counted = this.held.added;
    if (addedEntities) {
      this.st.recordPending.run(first, last);
      this.ranges.push([first, last]);
      this.since ??= this.now();
    }
    if (!this.unsure && this.dueInMs() !== 0) return () => {};
    this.write();
    return () => this.abandon();
  }

  /** Whether `write` has anything to write: rows held, or calls pending in the database (read without the write lock). */
  hasWork(): boolean {
    return this.ranges.length > 0 || this.st.anyPending.get() !== undefined;
  }

  /** ms until the fold is due to be written (0: now, by age or by MAX_HELD_ENTITY_CELLS), or undefined when it holds nothing. */
  dueInMs(): number | undefined {
    if (this.since === undefined) return undefined;
    if (this.held.size >= MAX_HELD_ENTITY_CELLS) return 0;
    return Math.max(0, this.since + this.holdMs - this.now());
  }

  /** Writes the fold (and every other pending call) in the caller's open transaction; call `abandon` after COMMIT. */
  write(): void {
    const stored = this.st.listPending.all<{ first_id: number; last_id: number }>().map((r): IdRange => [Number(r.first_id), Number(r.last_id)]);
    if (stored.length === 0 && this.ranges.length === 0) return;
    const cells = sameRanges(stored, this.ranges) ? this.held.cells() : this.readBack();
    this.rollups.writeEntities(cells);
    this.st.clearPending.run();
  }

  /** Forgets the fold: it was written (after COMMIT), or its transaction failed (`unsure`: what is pending is read back by the next transaction). */
  abandon(unsure = false): void {
    this.held = new EntitySums();
    this.counted = 0;
    this.ranges = [];
    this.since = undefined;
    this.unsure = unsure;
  }

  /** Every pending call's entity cells, from the stored calls. */
  private readBack(): EntityCell[] {
    const sums = new EntitySums();
    for (const row of this.st.pendingCalls.all<CallRow>()) addStoredCall(sums, row);
    return sums.cells();
  }
}

/** Adds a stored call to `sums` as the writer added its record (only calls that reached the provider have entity rows). */
export function addStoredCall(sums: EntitySums, row: CallRow): void {
  const record = rowToCall(row);
  const call = rolledCall(record, Object.entries(record.tags));
  if (call.reached) sums.add(call, callMeasures(call));
}

function sameRanges(a: readonly IdRange[], b: readonly IdRange[]): boolean {
  return a.length === b.length && a.every(([f, l], i) => f === b[i]![0] && l === b[i]![1]);
}
