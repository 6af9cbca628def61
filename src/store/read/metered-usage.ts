import type { Db } from '../db.js';
import type { MeteredUsageQuery, MeteredUsageRow } from '../reconcile-records.js';

export type { MeteredUsageQuery, MeteredUsageRow } from '../reconcile-records.js';

/** One UTC day in ms. */
const DAY_MS = 86_400_000;



// Integer arithmetic on the ms column groups by UTC day in SQLite and PostgreSQL alike.
const DAY_EXPR = `(ts - ts % ${DAY_MS})`;
const MODEL_EXPR = "COALESCE(model, model_requested, '(unknown)')";

const sql = (providers: number) => `
  SELECT ${DAY_EXPR} AS day, ${MODEL_EXPR} AS model, COUNT(*) AS calls,
    SUM(CASE WHEN input_tokens IS NULL THEN 1 ELSE 0 END) AS usage_unknown,
    SUM(CASE WHEN input_tokens IS NOT NULL AND cost_nano IS NULL THEN 1 ELSE 0 END) AS unpriced,
    COALESCE(SUM(input_tokens), 0) AS input_tokens,
    COALESCE(SUM(cached_input_tokens), 0) AS cached_input_tokens,
    COALESCE(SUM(cache_write_5m_tokens), 0) AS cache_write_5m_tokens,
    COALESCE(SUM(cache_write_1h_tokens), 0) AS cache_write_1h_tokens,
    COALESCE(SUM(output_tokens), 0) AS output_tokens,
    COALESCE(SUM(cost_nano), 0) AS cost_nano,
    COALESCE(SUM(CASE WHEN cost_nano IS NOT NULL THEN web_searches END), 0) AS web_searches,
    COALESCE(SUM(CASE WHEN cost_nano IS NOT NULL AND web_search_preview = 1 THEN web_searches END), 0) AS preview_web_searches,
    COALESCE(SUM(CASE WHEN cost_nano IS NOT NULL THEN file_searches END), 0) AS file_searches
  FROM calls
  WHERE provider IN (${Array(providers).fill('?').join(', ')}) AND ts >= ? AND ts < ? AND usage_source <> 'not_metered'
  GROUP BY ${DAY_EXPR}, ${MODEL_EXPR}
  ORDER BY day, model`;

/**
 * Metered usage of the providers per UTC day × model (their calls summed), oldest day
 * first; none for an empty provider list. Sums come back as numbers on both dialects
 * (PostgreSQL returns SUM of a bigint as numeric text).
 */
export async function meteredUsage(db: Db, q: MeteredUsageQuery): Promise<MeteredUsageRow[]> {
  if (q.providers.length === 0) return [];
  const rows = await db.all<Record<string, unknown>>(sql(q.providers.length), [...q.providers, q.since, q.until]);
  return rows.map((r) => ({
    day: Number(r.day),
    model: String(r.model),
    calls: Number(r.calls),
    usageUnknown: Number(r.usage_unknown),
    unpriced: Number(r.unpriced),
    inputTokens: Number(r.input_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    cacheWrite5mTokens: Number(r.cache_write_5m_tokens),
    cacheWrite1hTokens: Number(r.cache_write_1h_tokens),
    outputTokens: Number(r.output_tokens),
    costNano: Number(r.cost_nano),
    webSearches: Number(r.web_searches),
    previewWebSearches: Number(r.preview_web_searches),
    fileSearches: Number(r.file_searches),
  }));
}

/**
 * From when raw calls are complete (ms; retention pruned everything before), or 0 when
 * nothing was ever pruned. Reconciling needs raw calls: days before this are incomplete.
 */
export async function rawCallsSince(db: Db): Promise<number> {
  const row = await db.get<{ value: unknown }>("SELECT value FROM rollup_state WHERE name = 'raw_since'");
  return row === undefined ? 0 : Number(row.value);
}
