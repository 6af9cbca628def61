import type { Db } from '../db.js';
import { changeCounter, countDistinctTagSql, tableExists } from './dialect.js';
import { joinFragments } from './fragment.js';
import { ECONOMICS_TAGS } from './report/economics.js';
import { whereFragment, type Scope } from './scope.js';
import { callTagKeys } from './tag-keys.js';

/**
 * The live dashboard's small reads besides the report figures: which tag keys exist, the
 * distinct users of a scope, the latest calls and the latest alerts. Every query is
 * bounded (LIMIT or an index probe per distinct key), so they stay cheap on a large call
 * log at one refresh a second. Money integer nano-USD, times ms since the epoch.
 */

/** One call of the live tail. */
export interface FeedCall {
  /** Row id (monotonic). */
  id: number;
  ts: number;
  keyName: string | null;
  /** Model as answered, else as requested. */
  model: string | null;
  tags: Record<string, string>;
  /** null = unpriced or usage unknown. */
  costNano: number | null;
  /** The answer could not be read (usage_source `unknown`): no cost, and not unpriced either (a price would not help). */
  usageUnknown: boolean;
  latencyMs: number;
  status: number;
}

/** A budget alert that fired (one row of `alerts`). */
export interface FeedAlert {
  at: number;
  kind: 'key' | 'tag';
  budget: string;
  tagValue: string | null;
  threshold: number;
  spentNano: number;
  limitNano: number;
}

export interface FeedReads {
  /** Changes whenever another connection commits: while it stays, a refresh can reuse what it read. */
  changeCounter(): Promise<number>;
  /** True once the database has a call log (a blank file has no tables yet). */
  hasCallLog(): Promise<boolean>;
  /** Every distinct tag key, alphabetically. */
  tagKeys(): Promise<string[]>;
  /** Distinct `user_id` tag values among the calls in scope (unit economics' active users). */
  activeUsers(scope: Scope): Promise<number>;
  /** The latest calls started at or after `scope.since` (no upper bound), newest first. */
  latestCalls(scope: Scope, limit: number): Promise<FeedCall[]>;
  /** The latest fired alerts, newest first; null when the database has no `alerts` table yet. */
  latestAlerts(limit: number): Promise<FeedAlert[] | null>;
}

interface TailRow {
  id: number;
  ts: number;
  key_name: string | null;
  model: string | null;
  tags: string;
  cost_nano: number | null;
  usage_source: string;
  latency_ms: number;
  status: number;
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

export function createFeedReads(db: Db): FeedReads {
  return {
    changeCounter: () => changeCounter(db),
    hasCallLog: () => tableExists(db, 'calls'),

    tagKeys: () => callTagKeys(db),

    async activeUsers(scope) {
      const postings = db.dialect === 'postgres' || (await tableExists(db, 'call_postings'));
      const query = countDistinctTagSql(db.dialect, ECONOMICS_TAGS.user, whereFragment(db.dialect, scope), postings);
      return Number((await db.get<{ n: number }>(query.sql, query.params))?.n ?? 0);
    },

    // Walks calls_ts backwards and stops after `limit` matches; no upper bound, so a call
    // recorded a moment after the period's "now" still shows.
    async latestCalls(scope, limit) {
      const query = joinFragments(
        `SELECT c.id, c.ts, c.key_name, COALESCE(c.model, c.model_requested) AS model, c.tags, c.cost_nano, c.usage_source, c.latency_ms, c.status FROM calls c`,
        whereFragment(db.dialect, { ...scope, until: Number.MAX_SAFE_INTEGER }),
        { sql: 'ORDER BY c.ts DESC, c.id DESC LIMIT ?', params: [limit] },
      );
      return (await db.all<TailRow>(query.sql, query.params)).map((r) => ({
        id: Number(r.id),
        ts: Number(r.ts),
        keyName: r.key_name,
        model: r.model,
        tags: parseTags(r.tags),
        costNano: r.cost_nano === null ? null : Number(r.cost_nano),
        usageUnknown: r.usage_source === 'unknown',
        latencyMs: Number(r.latency_ms),
        status: Number(r.status),
      }));
    },

    async latestAlerts(limit) {
      if (!(await tableExists(db, 'alerts'))) return null;
      const rows = await db.all<AlertDbRow>('SELECT fired_at, kind, budget, tag_value, threshold, spent_nano, limit_nano FROM alerts ORDER BY fired_at DESC, id DESC LIMIT ?', [limit]);
      return rows.map((r) => ({
        at: Number(r.fired_at),
        kind: r.kind === 'tag' ? 'tag' : 'key',
        budget: r.budget,
        tagValue: r.tag_value,
        threshold: Number(r.threshold),
        spentNano: Number(r.spent_nano),
        limitNano: Number(r.limit_nano),
      }));
    },
  };
}

function parseTags(json: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
