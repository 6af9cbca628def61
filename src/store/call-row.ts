import { storedModelName } from '../domain/model-names.js';
import type { AdvisorUsage, StepUsage, Usage } from '../providers/types.js';
import type { CallRecord, SqlValue } from './types.js';

/** Columns of `calls` written per call, in the order of `callToParams`. */
export const CALL_COLUMNS = [
  'ts', 'key_name', 'provider', 'endpoint', 'model_requested', 'model', 'status', 'outcome', 'streamed',
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
  'reasoning_tokens', 'input_audio_tokens', 'output_audio_tokens', 'cost_nano', 'provider_cost_nano',
  'price_source', 'usage_source', 'latency_ms', 'ttfb_ms', 'tags', 'request_hash', 'prompt_bytes',
  'max_output_tokens', 'error', 'service_tier', 'cache_audio_read_tokens', 'output_image_tokens', 'web_searches',
  'file_searches', 'inference_geo', 'speed', 'advisor_usage', 'audio_seconds', 'input_image_tokens', 'document_pages', 'annotated_pages',
  'compaction_usage',
  'web_search_preview',
] as const;

/** A `calls` row as SQLite returns it (id included). */
export interface CallRow {
  id: number;
  ts: number;
  key_name: string | null;
  provider: string;
  endpoint: string;
  model_requested: string | null;
  model: string | null;
  status: number;
  outcome: string;
  streamed: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_5m_tokens: number | null;
  cache_write_1h_tokens: number | null;
  reasoning_tokens: number | null;
  input_audio_tokens: number | null;
  output_audio_tokens: number | null;
  cost_nano: number | null;
  provider_cost_nano: number | null;
  price_source: string | null;
  usage_source: string;
  latency_ms: number;
  ttfb_ms: number | null;
  tags: string;
  request_hash: string | null;
  prompt_bytes: number;
  max_output_tokens: number | null;
  error: string | null;
  service_tier: string | null;
  cache_audio_read_tokens: number | null;
  output_image_tokens: number | null;
  web_searches: number | null;
  file_searches: number | null;
  inference_geo: string | null;
  speed: string | null;
  /** Advisor sub-inferences as JSON text (schema v19, advisorColumn); NULL when none. */
  advisor_usage: string | null;
  /** Seconds of input audio (Usage.audioSeconds, schema v21; fractional): whisper-1's duration usage; NULL when none. */
  audio_seconds: number | null;
  /** Image tokens among the input tokens (Usage.inputImageTokens, schema v22); NULL when none were reported. */
  input_image_tokens: number | null;
  /** Pages of a document billed per page (Usage.documentPages, schema v23): Mistral OCR; NULL when none. */
  document_pages: number | null;
  /** Of those, the pages billed as annotated too (Usage.annotatedPages, schema v23); NULL when none. */
  annotated_pages: number | null;
  /** Compaction steps as JSON text (schema v25, stepColumn): their tokens are in the token columns too; NULL when none. */
  compaction_usage: string | null;
  /** 1 when the web searches ran on OpenAI's web_search_preview tool (Usage.webSearchPreview, schema v26), billed at its own fee; NULL otherwise. */
  web_search_preview: number | null;
}

/**
 * A call record that can never be stored (wrong type in a field). Retrying cannot fix it,
 * so the write queue reports and drops such a record instead of retrying it forever.
 */
export class InvalidCallRecordError extends Error {
  constructor(readonly field: string, value: unknown) {
    super(`invalid call record: ${field} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    this.name = 'InvalidCallRecordError';
  }
}

function num(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidCallRecordError(field, v);
  return v;
}
/** Largest |ms| a JavaScript Date can hold: the rollups' UTC hour and month of a `ts` past it are NaN. */
const MAX_DATE_MS = 8.64e15;

function timestamp(v: unknown): number {
  const ts = num('ts', v);
  if (Math.abs(ts) > MAX_DATE_MS) throw new InvalidCallRecordError('ts', v);
  return ts;
}
function numOrNull(field: string, v: unknown): number | null {
  return v === null || v === undefined ? null : num(field, v);
}
function str(field: string, v: unknown): string {
  if (typeof v !== 'string') throw new InvalidCallRecordError(field, v);
  return v;
}
function strOrNull(field: string, v: unknown): string | null {
  return v === null || v === undefined ? null : str(field, v);
}

/** The call's tags as [key, value] pairs, checked to be strings (for rollups, and the postings of TAG_ROW_KEYS). */
export function tagEntries(r: CallRecord): [string, string][] {
  const tags: unknown = r.tags ?? {};
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw new InvalidCallRecordError('tags', tags);
  const record = tags as Record<string, unknown>;
  // Object.keys, not Object.entries: the engine caches an object shape's keys (−0.1 µs per call).
  const entries: [string, string][] = [];
  for (const k of Object.keys(record)) entries.push([k, str(`tags.${k}`, record[k])]);
  return entries;
}

/**
 * Bind parameters for one call, in CALL_COLUMNS order. Usage fields are NULL when usage
 * is null; optional counts (audio, image, web and file searches) are NULL when absent. `usage.providerCostNano` is folded
 * into provider_cost_nano when the record's own providerCostNano is null. A model name
 * longer than 256 UTF-8 bytes is stored cut, ending in '…' (storedModelName): PostgreSQL's
 * btree indexes could not hold it in rollup_dims, and both stores keep the same name.
 * @throws InvalidCallRecordError when a field has a type SQLite would not store as meant.
 */
export function callToParams(r: CallRecord): SqlValue[] {
  const u: Usage | null = r.usage ?? null;
  if (typeof r.streamed !== 'boolean') throw new InvalidCallRecordError('streamed', r.streamed);
  return [
    timestamp(r.ts),
    strOrNull('keyName', r.keyName),
    str('provider', r.provider),
    str('endpoint', r.endpoint),
    storedModelName(strOrNull('modelRequested', r.modelRequested)),
    storedModelName(strOrNull('model', r.model)),
    num('status', r.status),
    str('outcome', r.outcome),
    r.streamed ? 1 : 0,
    u === null ? null : num('usage.inputTokens', u.inputTokens),
    u === null ? null : num('usage.outputTokens', u.outputTokens),
    u === null ? null : num('usage.cacheReadTokens', u.cacheReadTokens),
    u === null ? null : num('usage.cacheWrite5mTokens', u.cacheWrite5mTokens),
    u === null ? null : num('usage.cacheWrite1hTokens', u.cacheWrite1hTokens),
    u === null ? null : num('usage.reasoningTokens', u.reasoningTokens),
    numOrNull('usage.inputAudioTokens', u?.inputAudioTokens),
    numOrNull('usage.outputAudioTokens', u?.outputAudioTokens),
    numOrNull('costNano', r.costNano),
    numOrNull('providerCostNano', r.providerCostNano ?? u?.providerCostNano),
    strOrNull('priceSource', r.priceSource),
    str('usageSource', r.usageSource),
    num('latencyMs', r.latencyMs),
    numOrNull('ttfbMs', r.ttfbMs),
    JSON.stringify(r.tags ?? {}),
    strOrNull('requestHash', r.requestHash),
    num('promptBytes', r.promptBytes),
    numOrNull('maxOutputTokens', r.maxOutputTokens),
    strOrNull('error', r.error),
    strOrNull('usage.serviceTier', u?.serviceTier),
    numOrNull('usage.cacheAudioReadTokens', u?.cacheAudioReadTokens),
    numOrNull('usage.outputImageTokens', u?.outputImageTokens),
    numOrNull('usage.webSearches', u?.webSearches),
    numOrNull('usage.fileSearches', u?.fileSearches),
    strOrNull('usage.inferenceGeo', u?.inferenceGeo),
    strOrNull('usage.speed', u?.speed),
    advisorColumn(u?.advisors),
    secondsOrNull('usage.audioSeconds', u?.audioSeconds),
    numOrNull('usage.inputImageTokens', u?.inputImageTokens),
    pagesOrNull('usage.documentPages', u?.documentPages),
    pagesOrNull('usage.annotatedPages', u?.annotatedPages),
    stepColumn(u?.compactions),
    flagOrNull('usage.webSearchPreview', u?.webSearchPreview),
  ];
}

/** A flag stored as 1 when true, NULL when false or absent (a column only the calls it marks fill). */
function flagOrNull(field: string, v: unknown): 1 | null {
  if (v === undefined || v === false) return null;
  if (v !== true) throw new InvalidCallRecordError(field, v);
  return 1;
}

/** A duration in seconds (fractional, >= 0), or null when absent. */
function secondsOrNull(field: string, v: unknown): number | null {
  const n = numOrNull(field, v);
  if (n !== null && n < 0) throw new InvalidCallRecordError(field, v);
  return n;
}

/** A count of pages (a non-negative safe integer), or null when absent. */
function pagesOrNull(field: string, v: unknown): number | null {
  const n = numOrNull(field, v);
  if (n !== null && (!Number.isSafeInteger(n) || n < 0)) throw new InvalidCallRecordError(field, v);
  return n;
}

/** The counts of an AdvisorUsage or a StepUsage, in the order advisor_usage and compaction_usage store them. */
const ADVISOR_COUNTS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens'] as const;

/**
 * `usage.compactions` as calls.compaction_usage (schema v25): JSON text, one object per step
 * with the five counts in ADVISOR_COUNTS order; NULL when absent or empty.
 * @throws InvalidCallRecordError when a count is not a non-negative safe integer.
 */
function stepColumn(steps: readonly StepUsage[] | undefined): string | null {
  if (steps === undefined || steps.length === 0) return null;
  return JSON.stringify(steps.map((step, i) => stepEntry(step, (field, v) => new InvalidCallRecordError(`usage.compactions[${i}].${field}`, v))));
}

/**
 * `raw` checked to be a StepUsage, with exactly its fields; `fail` makes the error for a bad
 * field (also call-row-reader.ts stepsFromColumn).
 */
export function stepEntry(raw: unknown, fail: (field: string, v: unknown) => Error): StepUsage {
  if (typeof raw !== 'object' || raw === null) throw fail('', raw);
  const a = raw as Record<string, unknown>;
  const entry = {} as StepUsage;
  for (const k of ADVISOR_COUNTS) {
    const v = a[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw fail(k, v);
    entry[k] = v;
  }
  return entry;
}

/**
 * `usage.advisors` as calls.advisor_usage (schema v19): JSON text, one object per sub-inference
 * (an advisor consultation, an image tool's image) with `model` and the five counts in
 * ADVISOR_COUNTS order, then `outputImageTokens` when set (an image's); NULL when absent or empty.
 * @throws InvalidCallRecordError when a model is not a string or a count not a non-negative safe integer.
 */
function advisorColumn(advisors: readonly AdvisorUsage[] | undefined): string | null {
  if (advisors === undefined || advisors.length === 0) return null;
  return JSON.stringify(advisors.map((a, i) => advisorEntry(a, (field, v) => new InvalidCallRecordError(`usage.advisors[${i}].${field}`, v))));
}

/**
 * `raw` checked to be an AdvisorUsage, with exactly its fields (`outputImageTokens` only when
 * present, never above `outputTokens`); `fail` makes the error for a bad field (also
 * call-row-reader.ts advisorsFromColumn).
 */
export function advisorEntry(raw: unknown, fail: (field: string, v: unknown) => Error): AdvisorUsage {
  if (typeof raw !== 'object' || raw === null) throw fail('', raw);
  const a = raw as Record<string, unknown>;
  if (typeof a.model !== 'string') throw fail('model', a.model);
  const entry: AdvisorUsage = { model: a.model, ...stepEntry(a, fail) };
  // An image tool's image (providers/openai-image-tool.ts): its image tokens, a subset of its output.
  const image = a.outputImageTokens;
  if (image !== undefined) {
    if (typeof image !== 'number' || !Number.isSafeInteger(image) || image < 0 || image > entry.outputTokens) throw fail('outputImageTokens', image);
    entry.outputImageTokens = image;
  }
  return entry;
}
