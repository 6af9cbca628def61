import type { Migration } from './types.js';

/**
 * Schema v7: how far each run of the call-record writer has handled, written in the same
 * transaction as its records (store/writer-marks.ts). When the writer thread dies, the
 * records the main thread had not seen confirmed are posted to a new thread, which skips
 * those at or below the mark: none is lost and none is written twice.
 *
 * writer_marks: run = one record writer (a serve process) across restarts of its thread;
 * handled = records 1..handled of that run, in posting order, are written, spilled,
 * rejected or refused; at = ms of the last update. A run's row is deleted when it closes;
 * rows of runs that ended without closing are deleted by a later close once stale (a day).
 */
export const writerMarks: Migration = {
  version: 7,
  name: 'writer-marks',
  up: `
    CREATE TABLE writer_marks (run TEXT PRIMARY KEY, handled INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
  `,
};
