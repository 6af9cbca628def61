import type { Migration } from './types.js';

/**
 * Schema v8: catalog snapshots and reprice runs (issue #21). Times in ms since the epoch
 * (UTC), money in integer nano-USD.
 *
 * price_snapshots: catalog data fetched by `prices update`, kept as fetched (`data`, the
 *   published genai-prices JSON text) with where it came from (`origin`: URL or file),
 *   when (`fetched_at`), its SHA-256 (lower-case hex) and its size (providers, models).
 *   `forced` = stored with --force past the change limits. The row with the highest id is
 *   the snapshot in force; its price source name is `snapshot:<fetch date>:<sha256[0:8]>`.
 * reprice_runs: one row per `prices reprice`: who (`actor`) and when, the range
 *   [since, until) and model filter, the prices it used (`prices`: the price sources in
 *   force), calls examined / changed / left unpriced, and the old and new cost totals of the
 *   examined calls. `finished_at` stays NULL while the run is going (or when it died: the
 *   batches it committed stand; each batch is one transaction).
 * reprice_models: per run, provider and model (as stored, COALESCE(model, model_requested)):
 *   calls examined and changed, old and new cost totals.
 * reprice_spend: the cost change of each repriced call of the last 32 days, so every
 *   running `serve` sharing the database moves its budget counters by exactly that much
 *   (ids increase with each committed batch; a serve applies the rows above the last id
 *   it has seen). tags is the call's tags JSON.
 */
export const prices: Migration = {
  version: 8,
  name: 'prices',
  up: `
    CREATE TABLE price_snapshots (
      id INTEGER PRIMARY KEY,
      origin TEXT NOT NULL,
      fetched_at INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      providers INTEGER NOT NULL,
      models INTEGER NOT NULL,
      forced INTEGER NOT NULL,
      data TEXT NOT NULL
    );

    CREATE TABLE reprice_runs (
      id INTEGER PRIMARY KEY,
      actor TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      since INTEGER NOT NULL,
      until INTEGER NOT NULL,
      model TEXT,
      prices TEXT NOT NULL,
      calls INTEGER NOT NULL,
      changed INTEGER NOT NULL,
      unpriced INTEGER NOT NULL,
      old_total_nano INTEGER NOT NULL,
      new_total_nano INTEGER NOT NULL
    );

    CREATE TABLE reprice_models (
      run_id INTEGER NOT NULL REFERENCES reprice_runs (id),
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      calls INTEGER NOT NULL,
      changed INTEGER NOT NULL,
      old_total_nano INTEGER NOT NULL,
      new_total_nano INTEGER NOT NULL,
      PRIMARY KEY (run_id, provider, model)
    );

    CREATE TABLE reprice_spend (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES reprice_runs (id),
      ts INTEGER NOT NULL,
      key_name TEXT,
      tags TEXT NOT NULL,
      delta_nano INTEGER NOT NULL
    );
  `,
};
