/**
 * FROZEN: SQL that released migrations 003-rollups and 006-outcome-rollups both run. Never
 * edit it: a released migration's text must not change (their fingerprints are checked in
 * test/store/migrations-history.test.ts); a later migration that needs other SQL writes
 * its own.
 *
 * From temp.rollup_backfill (one row per call and UTC hour, and one more per rolled-up tag
 * of the call, with the `dims` columns, `bucket` = its latency bucket and the call's
 * measure inputs): the rollup_dims rows it lacks (`insertDims` is the INSERT verb), one
 * rollups row per dims row and hour with `measures` (the SELECT list of the measure
 * columns over alias f) and its latency histogram; then drops the temporary tables.
 */
export function rollupsFromBackfillSql(dims: string, insertDims: 'INSERT' | 'INSERT OR IGNORE', measures: string): string {
  const fromDims = dims.split(', ').map((c) => `f.${c}`).join(', ');
  return `${insertDims} INTO rollup_dims (${dims}, ident)
      SELECT DISTINCT ${dims}, json_array(${dims}) FROM temp.rollup_backfill;
    CREATE TEMP TABLE rollup_backfill_latency AS
      SELECT d.id AS dim_id, f.hour, f.bucket, COUNT(*) AS n
      FROM temp.rollup_backfill f JOIN rollup_dims d ON d.ident = json_array(${fromDims})
      GROUP BY d.id, f.hour, f.bucket;
    CREATE INDEX temp.rollup_backfill_latency_cell ON rollup_backfill_latency (dim_id, hour);
    INSERT INTO rollups
      SELECT d.id, f.hour, ${measures},
        (SELECT '[' || group_concat(l.bucket || ',' || l.n, ',' ORDER BY l.bucket) || ']' FROM temp.rollup_backfill_latency l WHERE l.dim_id = d.id AND l.hour = f.hour)
      FROM temp.rollup_backfill f JOIN rollup_dims d ON d.ident = json_array(${fromDims})
      GROUP BY d.id, f.hour;
    DROP TABLE temp.rollup_backfill_latency;
    DROP TABLE temp.rollup_backfill;`;
}
