import { callMeasuresSql } from '../measures.js';
import { reachedSql } from '../reached.js';
import { ENTITY_KEYS, HOUR_MS, ROLLUP_NONE } from '../rollup-policy.js';
import { rollupsFromBackfillSql } from './rollups-from-backfill.js';
import type { Migration } from './types.js';

/**
 * Schema v6: how a call ended becomes a rollup dimension, so reports group and filter by
 * `outcome` and `status` from rollups, and count by default only the calls that reached
 * the provider (reached.ts).
 *
 * rollup_dims gains outcome (TEXT), status (INTEGER, the HTTP status the client got) and
 * reached (1 when the calls reached the provider, else 0); `ident` includes them, in
 * the order key_name, provider, endpoint, model, entity_mask, outcome, status, reached,
 * tag_key, tag_value. entity_months / entity_counts hold only calls that reached the
 * provider from now on (active users are users the provider served).
 *
 * Rebuilt from the raw calls: every rollup hour from rollup_state.raw_since on (raw rows
 * are complete there) and the entity rows of every UTC month starting at or after it.
 * What retention already pruned cannot be rebuilt and stays as it was: those rollup rows
 * get outcome and status NULL (reported as `(none)`) and reached 1, so old reports keep
 * counting all their calls, as before; their months' entity rows keep counting refused
 * calls too.
 */

const DIMS = 'key_name, provider, endpoint, model, entity_mask, outcome, status, reached, tag_key, tag_value';
const MASK = ENTITY_KEYS.map((e) => `${e.bit} * EXISTS (SELECT 1 FROM call_tags x WHERE x.call_id = c.id AND x.key = '${e.key}')`).join(' + ');
/** Start of the UTC month of a ms expression, in ms (`add` months later). */
const monthOf = (ms: string, add = 0) => `CAST(strftime('%s', (${ms}) / 1000, 'unixepoch', 'start of month'${add ? `, '+${add} month'` : ''}) AS INTEGER) * 1000`;

const entityRows = ENTITY_KEYS.flatMap((e) =>
  ['', ...e.segments].map((seg) => {
    const segValue = seg === '' ? "''" : `COALESCE((SELECT s.value FROM call_tags s WHERE s.call_id = c.id AND s.key = '${seg}'), '${ROLLUP_NONE}')`;
    return `SELECT '${e.key}' AS key, '${seg}' AS seg_key, ${segValue} AS seg_value, t.value AS value, c.*
        FROM calls c JOIN call_tags t ON t.call_id = c.id AND t.key = '${e.key}'
        WHERE c.ts >= (SELECT month FROM temp.v5_since) AND ${reachedSql('c')}`;
  }),
).join('\n      UNION ALL ');

export const outcomeRollups: Migration = {
  version: 6,
  name: 'outcome-rollups',
  up: `
    ALTER TABLE rollup_dims ADD COLUMN outcome TEXT;
    ALTER TABLE rollup_dims ADD COLUMN status INTEGER;
    ALTER TABLE rollup_dims ADD COLUMN reached INTEGER NOT NULL DEFAULT 1;
    UPDATE rollup_dims SET ident = json_array(${DIMS});

    CREATE TEMP TABLE v5_since AS
      SELECT t AS hour, CASE WHEN ${monthOf('t')} = t THEN t ELSE ${monthOf('t', 1)} END AS month
      FROM (SELECT COALESCE((SELECT value FROM rollup_state WHERE name = 'raw_since'), 0) AS t);

    DELETE FROM rollups WHERE hour >= (SELECT hour FROM temp.v5_since);
    DELETE FROM rollup_dims WHERE id NOT IN (SELECT DISTINCT dim_id FROM rollups);
    CREATE TEMP TABLE rollup_backfill AS
      WITH base AS (
        SELECT c.id, CAST(c.ts / ${HOUR_MS} AS INTEGER) * ${HOUR_MS} AS hour, c.key_name, c.provider, c.endpoint,
          COALESCE(c.model, c.model_requested) AS model, ${MASK} AS entity_mask, c.outcome, c.status, ${reachedSql('c')} AS reached,
          c.cost_nano, c.usage_source, c.input_tokens, c.output_tokens, c.cached_input_tokens,
          COALESCE((SELECT b.bucket FROM latency_buckets b WHERE b.lo <= c.latency_ms ORDER BY b.lo DESC LIMIT 1), 0) AS bucket
        FROM calls c WHERE c.ts >= (SELECT hour FROM temp.v5_since)
      )
      SELECT b.*, '' AS tag_key, '' AS tag_value FROM base b
      UNION ALL
      SELECT b.*, t.key, t.value FROM base b JOIN call_tags t ON t.call_id = b.id JOIN tag_keys k ON k.key = t.key AND k.rolled_up = 1;
    ${rollupsFromBackfillSql(DIMS, 'INSERT OR IGNORE', callMeasuresSql('f'))}

    DELETE FROM entity_months WHERE month >= (SELECT month FROM temp.v5_since);
    DELETE FROM entity_counts WHERE month >= (SELECT month FROM temp.v5_since);
    INSERT INTO entity_months
      SELECT e.key, e.seg_key, ${monthOf('e.ts')}, e.seg_value, e.value, MIN(e.ts), MAX(e.ts), ${callMeasuresSql('e')}
      FROM (
      ${entityRows}
      ) e
      GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO entity_counts
      SELECT key, seg_key, month, seg_value, COUNT(*) FROM entity_months WHERE month >= (SELECT month FROM temp.v5_since) GROUP BY 1, 2, 3, 4;
    DROP TABLE temp.v5_since;
  `,
};
