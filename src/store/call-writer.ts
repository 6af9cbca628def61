import type { TimeSlice } from '../lib/time-slice.js';
import { CALL_COLUMNS, callToParams, tagEntries } from './call-row.js';
import { MIGRATIONS, migrate } from './migrations/index.js';
import { rolledCall, tagKeyMonths, type RolledCall } from './rollup-aggregate.js';
import { TAG_ROW_KEYS } from './rollup-policy.js';
import { EntityFold } from './entity-fold.js';
import { createRollupWriter } from './rollup-writer.js';
import type { CallRecord, SqlDriver, WriterMark } from './types.js';
import { UPSERT_MARK_SQL, forgetMark, markParams, spillMarkRun, storedMark } from './writer-marks.js';

/**
 * The hot-path insert of call records: synchronous prepared statements on one SQLite
 * connection, used by the write queue (on the writer thread, or in-process). Not part
 * of the Store facade, which is asynchronous.
 */
export interface CallWriter {
  /**
   * Writes the records in one IMMEDIATE transaction (calls, the postings of their tags in
   * TAG_ROW_KEYS, their months' tag keys, the rollups they add to, their entity rows or,
   * with `entityHoldMs`, their ids in entity_pending: entity-fold.ts, and each of `marks`:
   * how far that writer has handled, how many of a spill file's records are stored:
   * writer-marks.ts); all or nothing.
   * @throws InvalidCallRecordError when a record has a field that can never be stored.
   */
  insertCalls(records: readonly CallRecord[], ...marks: Array<WriterMark | undefined>): void;
  /** How many records of spill file `id` (in file order) the database holds (writer-marks.ts spillMarkRun); 0 when none. */
  spillMark(id: string): number;
  /** Deletes the mark of spill file `id` (call it after the file is deleted). */
  forgetSpillMark(id: string): void;
  /**
   * ms until the entity rows it holds are due to be written (0: now), or undefined when
   * it holds none. A transaction of calls writes them once due; a writer with no more
   * calls to write calls writeHeldEntities then (the writer thread's fold timer).
   */
  heldEntitiesDueInMs(): number | undefined;
  /**
   * Writes the entity rows it holds (and any call still pending) in a transaction of their own.
   * @throws when the transaction fails: the calls stay in entity_pending, and the writer's next transaction writes them.
   */
  writeHeldEntities(): void;
  /** Writes the entity rows it holds (and any call still pending), then closes the connection. */
  close(): void;
}

export interface CallWriterOptions {
  /**
   * Keep entity rows in memory up to this many ms across transactions (entity-fold.ts;
   * serve's writer thread: DEFAULT_ENTITY_HOLD_MS). Default: each transaction writes its own.
   */
  entityHoldMs?: number;
}

/** Inserts `records` inside the caller's open transaction; returns what to run after COMMIT. */
export type InsertRows = (records: readonly CallRecord[]) => () => void;

/**
 * KiB of SQLite page cache the connection that writes calls gets once it writes a posting
 * (a call with a user_id, a session_id or a request-scoped id: rollup-policy.ts).
 * Such a batch touches a leaf of call_postings and entity_months rows for each user in it,
 * spread over the file (~5–8 MB of pages with 1,000 users): with bun:sqlite's default of
 * 2,000 KiB every batch read them back (measured with the per-call rows of schema v9:
 * 500,000 calls of 1,000 users, batches of 10,000: 33.0k → 43.8k calls/s, medians of three
 * alternating runs; 16 MB gave no more; bench/README.md, "Writes"). A writer that only
 * appends (no such tags) keeps the driver's default, since SQLite keeps every page it
 * touches until the cache is full: up to ~6 MB more memory for nothing. (better-sqlite3
 * builds SQLite with 16,000 KiB, so on Node this lowers it.) The pragma is not
 * transactional, so it may run inside a write.
 */
export const WRITER_CACHE_KIB = 8192;

/**
 * The call ids of each `(key, value)` of TAG_ROW_KEYS in one batch, in insertion (id) order:
 * one call_postings row each (migrations/012-tag-postings.ts).
 */
class Postings {
  private readonly byValue = new Map<string, Map<string, number[]>>();

  add(key: string, value: string, id: number): void {
    let values = this.byValue.get(key);
    if (!values) this.byValue.set(key, (values = new Map()));
    const ids = values.get(value);
    if (ids) ids.push(id);
    else values.set(value, [id]);
  }

  get empty(): boolean {
    return this.byValue.size === 0;
  }

  /** `[key, value, first_id, last_id, ids JSON]` per posting. */
  *rows(): Generator<[string, string, number, number, string]> {
    for (const [key, values] of this.byValue) {
      for (const [value, ids] of values) yield [key, value, ids[0]!, ids[ids.length - 1]!, `[${ids.join(',')}]`];
    }
  }
}

/**
 * The statements of a call insert on `driver`, without a transaction of their own.
 * With `slice`, the insert steps it after each record, each rollup and entity upsert, and
 * once more at the end, so the COMMIT that follows starts a slice of its own (a writer
 * thread sharing a core with the proxy gives it away between slices: lib/time-slice.ts).
 * Its first posting sets the connection's page cache to WRITER_CACHE_KIB.
 */
function callInserter(driver: SqlDriver, slice: TimeSlice | undefined, entityHoldMs: number | undefined): { insert: InsertRows; entities: EntityFold | undefined } {
  const insertCall = driver.prepare(`INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`);
  const insertPosting = driver.prepare('INSERT INTO call_postings (key, value, first_id, last_id, ids) VALUES (?, ?, ?, ?, ?)');
  const insertTagKey = driver.prepare('INSERT OR IGNORE INTO call_tag_keys (month, key) VALUES (?, ?)');
  const rollups = createRollupWriter(driver, slice);
  const entities = entityHoldMs === undefined ? undefined : new EntityFold(driver, rollups, entityHoldMs);
  let cacheSized = false;
  const insert: InsertRows = (records) => {
    const rolled: RolledCall[] = [];
    const postings = new Postings();
    let first = 0;
    let last = 0;
    slice?.begin();
    for (const r of records) {
      const tags = tagEntries(r);
      last = Number(insertCall.run(...callToParams(r)).lastInsertRowid);
      if (first === 0) first = last;
      for (const [k, v] of tags) {
        if (!TAG_ROW_KEYS.has(k)) continue;
        postings.add(k, v, last);
      }
      rolled.push(rolledCall(r, tags));
      slice?.step();
    }
    if (!postings.empty && !cacheSized) {
      driver.exec(`PRAGMA cache_size = -${WRITER_CACHE_KIB}`);
      cacheSized = true;
    }
    for (const row of postings.rows()) insertPosting.run(...row);
    for (const [month, key] of tagKeyMonths(rolled)) insertTagKey.run(month, key);
    const publish = rollups.add(rolled, entities?.sums);
    const afterCommit = entities?.afterBatch(first, last);
    slice?.step();
    if (!afterCommit) return publish;
    return () => {
      publish();
      afterCommit();
    };
  };
  return { insert, entities };
}

/** A CallWriter on `driver` (migrated first when needed; `slice`: see callInserter). It owns the driver. */
export function createCallWriter(driver: SqlDriver, slice?: TimeSlice, options: CallWriterOptions = {}): CallWriter {
  migrate(driver, MIGRATIONS);
  const { insert, entities } = callInserter(driver, slice, options.entityHoldMs);
  const upsertMark = driver.prepare(UPSERT_MARK_SQL);
  const writeHeldEntities = (): void => {
    // Nothing held and nothing pending: no transaction (it would wait for the write lock for nothing).
    if (!entities?.hasWork()) return;
    try {
      // What it holds, and any call still pending (e.g. after a failed transaction).
      driver.transaction(() => entities.write());
    } catch (error) {
      entities.abandon(true);
      throw error;
    }
    entities.abandon();
  };
  return {
    insertCalls(records, ...marks) {
      if (records.length === 0) return;
      let publish: () => void;
      try {
        publish = driver.transaction(() => {
          for (const mark of marks) if (mark) upsertMark.run(...markParams(mark));
          return insert(records);
        });
      } catch (error) {
        // Its committed predecessors stay pending in the database: the next transaction reads them back.
        entities?.abandon(true);
        throw error;
      }
      publish();
    },
    spillMark(id) {
      return storedMark(driver, spillMarkRun(id));
    },
    forgetSpillMark(id) {
      forgetMark(driver, spillMarkRun(id));
    },
    heldEntitiesDueInMs() {
      return entities?.dueInMs();
    },
    writeHeldEntities,
    close() {
      try {
        writeHeldEntities();
      } catch {
        // The calls stay in entity_pending; the next writer on this database folds them.
      } finally {
        driver.close();
      }
    },
  };
}
