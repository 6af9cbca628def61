import type { AdvisorUsage, StepUsage, Usage } from '../providers/types.js';
import { advisorEntry, stepEntry, type CallRow } from './call-row.js';
import type { CallOutcome, CallRecord, UsageSource } from './types.js';

/**
 * A `calls` row read back: its usage columns as a Usage (usageFromRow) and the whole row as
 * a CallRecord (rowToCall): the inverse of call-row.ts callToParams.
 * Counts in tokens (web and file searches in searches, audio in seconds, pages in pages),
 * costs in nano-USD as stored. Invariant: a row reads back as the Usage callToParams wrote
 * but for what it folds (Usage.providerCostNano into provider_cost_nano, an empty advisor or
 * compaction step list into NULL); a NULL optional column is an absent field, never 0; a value tokometer did
 * not write (advisor_usage that is not its JSON) throws rather than reading as less. Pure.
 */

/**
 * calls.advisor_usage back as `usage.advisors`. A value tokometer did not write (not that
 * JSON) throws: leaving the advisors out would price the call again at the executor's part alone.
 */
function advisorsFromColumn(text: string): AdvisorUsage[] {
  return listFromColumn(text, 'calls.advisor_usage is not a list of advisor usages', advisorEntry);
}

/**
 * calls.compaction_usage back as `usage.compactions`. A value tokometer did not write throws:
 * leaving the steps out would price the call again by the sum of its steps.
 */
function stepsFromColumn(text: string): StepUsage[] {
  return listFromColumn(text, 'calls.compaction_usage is not a list of compaction steps', stepEntry);
}

/** `text` parsed as a JSON list, each entry checked by `entry`; `what` heads the error of a value that is not. */
function listFromColumn<T>(text: string, what: string, entry: (raw: unknown, fail: (field: string, v: unknown) => Error) => T): T[] {
  const fail = (field: string, v: unknown) => new Error(`${what} (${field || 'entry'} = ${JSON.stringify(v) ?? String(v)}): ${text.slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('json', text.slice(0, 40));
  }
  if (!Array.isArray(parsed)) throw fail('list', parsed);
  return parsed.map((a) => entry(a, fail));
}

/** The usage columns `usageFromRow` reads; the optional counts may be left out of a SELECT. */
export type UsageColumns = Pick<CallRow, 'input_tokens' | 'output_tokens' | 'cached_input_tokens' | 'cache_write_5m_tokens' | 'cache_write_1h_tokens' | 'reasoning_tokens' | 'service_tier'> &
  Partial<Pick<CallRow, OptionalCountColumn | OptionalTextColumn | 'advisor_usage' | 'compaction_usage' | 'web_search_preview'>>;

/** Usage columns of a row whose usage is known (input_tokens NOT NULL): a SELECT that filters on it. */
export type KnownUsageColumns = UsageColumns & { input_tokens: number };

/** Usage counts stored only when reported, each column with its Usage field (audio_seconds: seconds, fractional; document_pages, annotated_pages: pages). */
const OPTIONAL_COUNTS = [
  ['input_audio_tokens', 'inputAudioTokens'],
  ['output_audio_tokens', 'outputAudioTokens'],
  ['cache_audio_read_tokens', 'cacheAudioReadTokens'],
  ['input_image_tokens', 'inputImageTokens'],
  ['output_image_tokens', 'outputImageTokens'],
  ['web_searches', 'webSearches'],
  ['file_searches', 'fileSearches'],
  ['audio_seconds', 'audioSeconds'],
  ['document_pages', 'documentPages'],
  ['annotated_pages', 'annotatedPages'],
] as const;
type OptionalCountColumn = (typeof OPTIONAL_COUNTS)[number][0];

/** Billing conditions stored only when reported (schema v17), each column with its Usage field: they multiply the price (pricing/modifiers.ts). */
const OPTIONAL_TEXTS = [
  ['inference_geo', 'inferenceGeo'],
  ['speed', 'speed'],
] as const;
type OptionalTextColumn = (typeof OPTIONAL_TEXTS)[number][0];

/**
 * A stored row's usage: the one place that turns the usage columns of `calls` into a
 * Usage (the audit's call reads, rowToCall, `prices reprice`). Null when usage was unknown
 * (input_tokens is NULL). Counts in tokens (web and file searches in searches, pages in pages); a NULL count of the
 * always-stored six is 0, a NULL optional count (audio, image input and output, web and file searches, pages) is left out,
 * service_tier, inference_geo or speed NULL leaves serviceTier, inferenceGeo or speed out, and
 * advisor_usage (JSON, schema v19) becomes `advisors` and compaction_usage (JSON, schema v25)
 * `compactions` when not NULL, and web_search_preview 1 (schema v26) `webSearchPreview: true`.
 *
 * Counts go through Number(): both Db seams already return numbers (the PostgreSQL Db
 * parses int8 and numeric, drivers/postgres.ts), so this changes nothing there, but a row
 * read through a client without that parser (int8 as text) still gives the same numbers.
 */
export function usageFromRow(row: KnownUsageColumns): Usage;
export function usageFromRow(row: UsageColumns): Usage | null;
export function usageFromRow(row: UsageColumns): Usage | null {
  if (row.input_tokens === null) return null;
  const usage: Usage = {
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens ?? 0),
    cacheReadTokens: Number(row.cached_input_tokens ?? 0),
    cacheWrite5mTokens: Number(row.cache_write_5m_tokens ?? 0),
    cacheWrite1hTokens: Number(row.cache_write_1h_tokens ?? 0),
    reasoningTokens: Number(row.reasoning_tokens ?? 0),
  };
  for (const [column, field] of OPTIONAL_COUNTS) {
    const v = row[column];
    if (v != null) usage[field] = Number(v);
  }
  if (row.service_tier !== null) usage.serviceTier = row.service_tier;
  for (const [column, field] of OPTIONAL_TEXTS) {
    const v = row[column];
    if (v != null) usage[field] = v;
  }
  if (row.advisor_usage != null) usage.advisors = advisorsFromColumn(row.advisor_usage);
  if (row.compaction_usage != null) usage.compactions = stepsFromColumn(row.compaction_usage);
  if (row.web_search_preview != null && Number(row.web_search_preview) === 1) usage.webSearchPreview = true;
  return usage;
}

/** A stored row back as a CallRecord (the inverse of callToParams, except the providerCostNano fold). */
export function rowToCall(row: CallRow): CallRecord {
  const usage = usageFromRow(row);
  return {
    ts: row.ts,
    keyName: row.key_name,
    provider: row.provider,
    endpoint: row.endpoint,
    modelRequested: row.model_requested,
    model: row.model,
    status: row.status,
    outcome: row.outcome as CallOutcome,
    streamed: row.streamed === 1,
    usage,
    usageSource: row.usage_source as UsageSource,
    costNano: row.cost_nano,
    providerCostNano: row.provider_cost_nano,
    priceSource: row.price_source,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
    tags: JSON.parse(row.tags) as Record<string, string>,
    requestHash: row.request_hash,
    promptBytes: row.prompt_bytes,
    maxOutputTokens: row.max_output_tokens,
    error: row.error,
  };
}
