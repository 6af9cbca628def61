import { ECONOMICS_TAGS } from '../../report/economics-source.js';
import { joinFragments, whereFragment, type Scope } from '../../report/sql-scope.js';
import type { SqlDriver } from '../../store/types.js';
import type { AlertRow, TailCall } from '../types.js';

/**
 * Small read queries of the dashboard that the report module does not answer: which tag
 * keys exist, the latest calls and the latest alerts. Read-only; every query is bounded
 * (LIMIT or an index probe per distinct key), so they stay cheap on a large call log.
 */

/** True when the database has a table of that name (older schemas lack `alerts`). */
export function hasTable(driver: SqlDriver, name: string): boolean {
  return driver.prepare("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Every distinct tag key, alphabetically. A loose index scan over call_tags_key_value:
 * one index probe per distinct key instead of reading every tag row.
 */
export function tagKeys(driver: SqlDriver): string[] {
  const rows = driver
    .prepare(
      `WITH RECURSIVE k(key) AS (
         SELECT MIN(key) FROM call_tags
         UNION ALL SELECT (SELECT MIN(key) FROM call_tags WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
       ) SELECT key FROM k WHERE key IS NOT NULL`,
    )
    .all<{ key: string }>();
  return rows.map((r) => r.key);
}

/**
 * Distinct `user_id` tag values among the calls in scope: the same exact count as unit
 * economics' `active_users`. Written as `call_id IN (calls in scope)` so SQLite reads the
 * (key, value) index in value order and checks membership with a Bloom filter: about six
 * times faster over a month than joining every call of the period to its tag (and
 * seventy times over a day), which matters at one refresh a second.
 */
export function activeUsers(driver: SqlDriver, scope: Scope): number {
  const query = joinFragments(
    { sql: 'SELECT COUNT(DISTINCT value) AS n FROM call_tags WHERE key = ? AND call_id IN (SELECT c.id FROM calls c', params: [ECONOMICS_TAGS.user] },
    whereFragment(scope),
    ')',
  );
  return Number(driver.prepare(query.sql).get<{ n: number }>(...query.params)?.n ?? 0);
}

interface TailRow {
  id: number;
  ts: number;
  key_name: string | null;
  model: string | null;
  tags: string;
  cost_nano: number | null;
  latency_ms: number;
  status: number;
}

/**
 * The latest calls in scope (started at or after `scope.since`; no upper bound, so a call
 * recorded a moment after the period's "now" still shows), newest start time first.
 * Walks calls_ts backwards and stops after `limit` matches.
 */
export function latestCalls(driver: SqlDriver, scope: Scope, limit: number): TailCall[] {
  const query = joinFragments(
    `SELECT c.id, c.ts, c.key_name, COALESCE(c.model, c.model_requested) AS model, c.tags, c.cost_nano, c.latency_ms, c.status FROM calls c`,
    whereFragment({ ...scope, until: Number.MAX_SAFE_INTEGER }),
    { sql: 'ORDER BY c.ts DESC, c.id DESC LIMIT ?', params: [limit] },
  );
  return driver
    .prepare(query.sql)
    .all<TailRow>(...query.params)
    .map((r) => ({
      id: Number(r.id),
      ts: Number(r.ts),
      keyName: r.key_name,
      model: r.model,
      tags: parseTags(r.tags),
      costNano: r.cost_nano === null ? null : Number(r.cost_nano),
      latencyMs: Number(r.latency_ms),
      status: Number(r.status),
    }));
}

function parseTags(json: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

interface AlertDbRow {
  fired_at: number;
  kind: string;
  budget: string;
  tag_value: string | null;
  threshold: number;
  spent_nano: number;
  limit_nano: number;
}

/** The latest fired alerts, newest first; null when the database has no `alerts` table yet. */
export function latestAlerts(driver: SqlDriver, limit: number): AlertRow[] | null {
  if (!hasTable(driver, 'alerts')) return null;
  return driver
    .prepare('SELECT fired_at, kind, budget, tag_value, threshold, spent_nano, limit_nano FROM alerts ORDER BY fired_at DESC, id DESC LIMIT ?')
    .all<AlertDbRow>(limit)
    .map((r) => ({
      at: Number(r.fired_at),
      kind: r.kind === 'tag' ? 'tag' : 'key',
      budget: r.budget,
      tagValue: r.tag_value,
      threshold: Number(r.threshold),
      spentNano: Number(r.spent_nano),
      limitNano: Number(r.limit_nano),
    }));
}
