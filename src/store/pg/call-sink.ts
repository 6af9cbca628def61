import { newCallId } from '../../lib/call-id.js';
import { AsyncWriteQueue, type RecordSink } from '../async-write-queue.js';
import type { AsyncWriteQueueOptions } from '../async-write-queue-options.js';
import { InvalidCallRecordError } from '../call-row.js';
import { PostgresDbError, beginTransaction, type PostgresDb } from '../drivers/postgres.js';
import type { CallRecord } from '../types.js';
import { DUPLICATE_CALL, insertCallBatch, prepareCall } from './call-batch.js';
import { ensureMonths, monthsOf, partitionMonths } from './partitions.js';
import { addRollups, type HourSpan } from './rollup-batch.js';

/**
 * The PostgreSQL call-record sink: each batch is one transaction that inserts the calls
 * not stored yet (idempotent on the call id: a batch holding a stored call id is written
 * again skipping those) with their tags, and adds exactly those to the rollups and entity
 * rows. Partitions for the batch's months are made first, outside
 * the transaction.
 */

/** SQLSTATE of "no partition of relation found for row": a month without its partition. */
const NO_PARTITION = '23514';

/** Data errors: the same records can never be written (class 22 data exception, 23 integrity, 54 limits). */
function isPermanentPgError(err: unknown): boolean {
  if (err instanceof InvalidCallRecordError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code === NO_PARTITION) return false;
  return /^(22|23|54)/.test(code);
}

/** Gives a record its call id once (kept through spill and replay). */
export function withCallId(record: CallRecord): CallRecord {
  return record.callId === undefined ? { ...record, callId: newCallId(record.ts) } : record;
}

/**
 * The sink's write probe (store/write-probe.ts runs it): an UPDATE that matches no row (the
 * change counter's only row has id 1), in a transaction rolled back. It fails as a batch
 * would: the server unreachable or restarting, a read-only transaction (a standby after a
 * failover, default_transaction_read_only), a statement timeout. It writes nothing.
 */
const PROBE_SQL = 'UPDATE tokometer_changes SET value = value WHERE id = 0';

/** Thrown inside the probe's transaction so that it is rolled back. */
const ROLL_BACK = new Error('the write probe rolls its transaction back');

async function probeWrite(db: PostgresDb): Promise<void> {
  try {
    await beginTransaction(db.sql, async (tx) => {
      await tx.unsafe(PROBE_SQL);
      throw ROLL_BACK;
    });
  } catch (err) {
    if (err === ROLL_BACK) return;
    throw err instanceof PostgresDbError ? err : new PostgresDbError(db.location, err);
  }
}

export function postgresCallSink(db: PostgresDb): RecordSink {
  let months: Set<number> | undefined;
  const span: HourSpan = { first: Infinity, last: -Infinity };
  return {
    isPermanent: isPermanentPgError,
    probe: () => probeWrite(db),
    async write(records) {
      const prepared = records.map((r) => prepareCall(withCallId(r) as CallRecord & { callId: string }));
      try {
        months ??= new Set(await partitionMonths(db));
        const missing = monthsOf(prepared.map((p) => p.rollup.ts)).filter((m) => !months!.has(m));
        if (missing.length > 0) {
          await ensureMonths(db, missing);
          for (const m of missing) months.add(m);
        }
        const attempt = (mode: 'fresh' | 'replay') =>
          beginTransaction(db.sql, async (tx) => {
            const inserted = await insertCallBatch(tx, prepared, mode);
            return addRollups(tx, inserted.map((c) => c.rollup), span);
          });
        // A call id stored already (a replay) fails the plain insert; the batch then skips those.
        const written = await attempt('fresh').catch((err: unknown) => {
          if ((err as { code?: unknown } | null)?.code === DUPLICATE_CALL) return attempt('replay');
          throw err;
        });
        span.first = Math.min(span.first, written.first);
        span.last = Math.max(span.last, written.last);
      } catch (err) {
        // A month dropped by retention (or by hand) since the set was read: read it again next time.
        if ((err as { code?: unknown } | null)?.code === NO_PARTITION) months = undefined;
        throw err instanceof PostgresDbError ? err : new PostgresDbError(db.location, err);
      }
    },
  };
}

/**
 * serve's record writer on PostgreSQL: an AsyncWriteQueue on the main thread over the
 * PostgreSQL sink. No writer thread: the database I/O is asynchronous and leaves the
 * event loop free, which is what the SQLite writer thread exists for.
 */
export function createPostgresRecordWriter(db: PostgresDb, options: AsyncWriteQueueOptions = {}): AsyncWriteQueue {
  return new AsyncWriteQueue(postgresCallSink(db), { stamp: withCallId, ...options });
}
