import type { NanoUsd } from '../lib/money.js';
import type { Usage } from '../providers/types.js';
import { joinFragments, whereFragment, type Scope } from '../store/read/scope.js';
import { NONE } from '../report/types.js';
import type { CallOutcome, SqlDriver, UsageSource } from '../store/types.js';
import { usageFromRow } from '../store/call-row.js';

/**
 * The calls an audit looks at, read once from the raw call log with the report's scope
 * rules (time range and `--where`, see report/sql-scope.ts) and shared by every detector.
 * Only the columns some detector uses are read: better-sqlite3 spends most of the load
 * building row objects. Memory: roughly 300 bytes per call, so a month of a million calls
 * needs a few hundred MB.
 */

/** One stored call, as the detectors need it. Money in nano-USD, times in ms. */
export interface AuditCall {
  id: number;
  ts: number;
  keyName: string | null;
  provider: string;
  /** Model as answered, else as requested; `(none)` when neither is known. */
  model: string;
  endpoint: string;
  outcome: CallOutcome;
  streamed: boolean;
  /** null when the usage is unknown (token columns NULL). Inclusion rules as in providers/types.ts. */
  usage: Usage | null;
  usageSource: UsageSource;
  /** Stored cost; null = unpriced. */
  costNano: NanoUsd | null;
  requestHash: string | null;
  /** Requested max output tokens; null = the request set none. */
  maxOutputTokens: number | null;
  tags: Readonly<Record<string, string>>;
}

interface Row {
  id: number;
  ts: number;
  key_name: string | null;
  provider: string;
  model: string;
  endpoint: string;
  outcome: string;
  streamed: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_5m_tokens: number | null;
  cache_write_1h_tokens: number | null;
  reasoning_tokens: number | null;
  service_tier: string | null;
  usage_source: string;
  cost_nano: number | null;
  request_hash: string | null;
  max_output_tokens: number | null;
  tags: string;
}

/** Reads the scope's calls, oldest first (ties by id). */
export function loadAuditCalls(driver: SqlDriver, scope: Scope): AuditCall[] {
  const q = joinFragments(
    `SELECT c.id, c.ts, c.key_name, c.provider, COALESCE(c.model, c.model_requested, '${NONE}') AS model, c.endpoint,
       c.outcome, c.streamed, c.input_tokens, c.output_tokens, c.cached_input_tokens, c.cache_write_5m_tokens,
       c.cache_write_1h_tokens, c.reasoning_tokens, c.service_tier, c.usage_source, c.cost_nano,
       c.request_hash, c.max_output_tokens, c.tags
     FROM calls c`,
    whereFragment(scope),
    'ORDER BY c.ts, c.id',
  );
  return driver.prepare(q.sql).all<Row>(...q.params).map(toCall);
}

function toCall(r: Row): AuditCall {
  const usage = usageFromRow(r);
  return {
    id: r.id,
    ts: r.ts,
    keyName: r.key_name,
    provider: r.provider,
    model: r.model,
    endpoint: r.endpoint,
    outcome: r.outcome as CallOutcome,
    streamed: r.streamed === 1,
    usage,
    usageSource: r.usage_source as UsageSource,
    costNano: r.cost_nano,
    requestHash: r.request_hash,
    maxOutputTokens: r.max_output_tokens,
    tags: parseTags(r.tags),
  };
}

function parseTags(json: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Embedding endpoints (`embeddings`, `embed`, `embedContent`, `batchEmbedContents`). */
export function isEmbedding(call: AuditCall): boolean {
  return /embed/i.test(call.endpoint);
}

/** A call that produced text and was billed: answered, usage known, priced. */
export function isPricedGeneration(call: AuditCall): call is AuditCall & { usage: Usage; costNano: NanoUsd } {
  return call.outcome === 'ok' && call.usage !== null && call.costNano !== null && !isEmbedding(call) && call.endpoint !== 'other';
}

/** Tag that names the product feature a call belongs to. */
export const FEATURE_TAG = 'feature';

/**
 * The scope a per-feature detector groups by: the `feature` tag, or for untagged calls
 * the metering key (`{key: name}`), or `{feature: '(none)'}` when neither is known.
 */
export function featureScope(call: AuditCall): { dim: 'feature' | 'key'; value: string } {
  const feature = call.tags[FEATURE_TAG];
  if (feature !== undefined) return { dim: 'feature', value: feature };
  if (call.keyName !== null) return { dim: 'key', value: call.keyName };
  return { dim: 'feature', value: NONE };
}

/** Groups items by a string key, keeping first-seen order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    if (k === null) continue;
    let list = out.get(k);
    if (list === undefined) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}

/** Sums of the evidence fields over calls (unknown usage counts 0 tokens, unpriced 0 cost). */
export function totals(calls: readonly AuditCall[]): { calls: number; costNano: NanoUsd; inputTokens: number; outputTokens: number } {
  let costNano = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const c of calls) {
    costNano += c.costNano ?? 0;
    inputTokens += c.usage?.inputTokens ?? 0;
    outputTokens += c.usage?.outputTokens ?? 0;
  }
  return { calls: calls.length, costNano, inputTokens, outputTokens };
}
