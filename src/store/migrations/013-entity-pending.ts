import type { Migration } from './types.js';

/**
 * Schema v13: entity rows may lag the calls they count (store/entity-fold.ts: about a
 * second, serve's writer thread writing them when they are due even if no more calls
 * come; a writer that stops without closing leaves them for the next). A write transaction whose calls are not in entity_months yet
 * records their ids here, one row per transaction (its ids are consecutive: SQLite gives
 * one writer at a time the next rowids); the transaction that adds them to entity_months
 * and entity_counts deletes the rows. So, at every commit:
 *
 *   entity rows + the calls of entity_pending's ranges = what entity rows over every call hold.
 *
 * Readers of entity rows add the pending calls (store/read/report/entity-pending.ts);
 * anything else that writes entity rows or moves a pending call's measures folds them
 * first (reprice). Only SQLite has the table: PostgreSQL writers add entity rows in
 * each call batch's own transaction.
 */
export const entityPending: Migration = {
  version: 13,
  name: 'entity-pending',
  up: `
    CREATE TABLE entity_pending (first_id INTEGER PRIMARY KEY, last_id INTEGER NOT NULL);
  `,
};

/** `FROM` text of the pending calls: each entity_pending range (alias `pe`) joined to its calls `c` by id. */
export const PENDING_CALLS_FROM = 'entity_pending pe JOIN calls c ON c.id BETWEEN pe.first_id AND pe.last_id';

/** One row when any call is pending (none otherwise): the check before reading or folding them. */
export const ANY_PENDING_SQL = 'SELECT 1 AS any FROM entity_pending LIMIT 1';
