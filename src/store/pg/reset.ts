import type { Db } from '../db.js';
import { openPostgresDb } from '../drivers/postgres.js';

/**
 * Removes everything tokometer created in a PostgreSQL database (tables with their
 * partitions, functions, the schema version), so the next open migrates it from empty.
 * Only for a database the caller checked holds nothing else of value: `tokometer demo`
 * replacing its own previous run.
 */
export async function dropTokometerSchema(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run(`DROP TABLE IF EXISTS calls, call_tags, call_tag_keys, keys, alerts, budget_resets, key_events, latency_buckets, rollup_dims, rollups,
      tag_keys, tag_key_days, entity_months, entity_counts, rollup_state, reconcile_runs, price_snapshots, reprice_runs, reprice_models, reprice_spend, budget_shares, budget_leases, budget_limits, budget_reprices_seen, tokometer_meta, tokometer_changes, tokometer_schema CASCADE`);
    // Every function of ours, whatever its signature in this or an older schema version.
    await tx.run(`DO $$ DECLARE f regprocedure; BEGIN
      FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'tokometer\\_%' LOOP
        EXECUTE 'DROP FUNCTION ' || f::text || ' CASCADE';
      END LOOP;
    END $$`);
  });
}

/** dropTokometerSchema on the database at `url`, over a short-lived connection. */
export async function dropTokometerSchemaAt(url: string): Promise<void> {
  const db = openPostgresDb(url, { max: 1 });
  try {
    await dropTokometerSchema(db);
  } finally {
    await db.close();
  }
}
