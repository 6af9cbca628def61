import type { Migration } from './types.js';

/**
 * Schema v4: per-entity month rows outlive retention. Until v3, pruning deleted the
 * entity_months / entity_counts rows of UTC months that ended before the raw cutoff, so
 * active users of older months read as zero. From v4 on prune keeps them; this records
 * where a database pruned by v3 still has them complete:
 *
 * rollup_state 'entity_since': entity rows are complete for UTC months starting at or
 *   after this ms (the UTC month of raw_since when v3 pruned; absent = complete).
 */
export const entityRetention: Migration = {
  version: 4,
  name: 'entity-retention',
  up: `
    INSERT INTO rollup_state (name, value)
      SELECT 'entity_since', CAST(strftime('%s', value / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000
      FROM rollup_state WHERE name = 'raw_since' AND value > 0;
  `,
};
