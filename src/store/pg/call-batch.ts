import type postgres from 'postgres';
import { CALL_COLUMNS, InvalidCallRecordError, callToParams, tagEntries } from '../call-row.js';
import { rolledCall, tagKeyMonths, type RolledCall } from '../rollup-aggregate.js';
import type { CallRecord, SqlValue } from '../types.js';
import { jsonRows, jsonRowsSql, type JsonColumn } from './json-rows.js';

/**
 * Inserts a batch of call records into calls in one statement (rows sent as JSON,
 * json-rows.ts; tags only in calls.tags, see migrations/005), never a call id twice: a
 * replayed record is a no-op. Registers the tag keys of each month in call_tag_keys.
 * Returns what rollups need of the records inserted.
 */

/** PostgreSQL type of each calls column written, in CALL_COLUMNS order. */
const COLUMN_TYPES: Record<(typeof CALL_COLUMNS)[number], string> = {
  ts: 'bigint', key_name: 'text', provider: 'text', endpoint: 'text', model_requested: 'text', model: 'text',
  status: 'int', outcome: 'text', streamed: 'int', input_tokens: 'bigint', output_tokens: 'bigint',
  cached_input_tokens: 'bigint', cache_write_5m_tokens: 'bigint', cache_write_1h_tokens: 'bigint',
  reasoning_tokens: 'bigint', input_audio_tokens: 'bigint', output_audio_tokens: 'bigint', cost_nano: 'bigint',
  provider_cost_nano: 'bigint', price_source: 'text', usage_source: 'text', latency_ms: 'float8', ttfb_ms: 'float8',
  tags: 'text', request_hash: 'text', prompt_bytes: 'bigint', max_output_tokens: 'bigint', error: 'text', service_tier: 'text',
  cache_audio_read_tokens: 'bigint', output_image_tokens: 'bigint', web_searches: 'bigint', file_searches: 'bigint',
  inference_geo: 'text', speed: 'text', advisor_usage: 'text', audio_seconds: 'float8', input_image_tokens: 'bigint', document_pages: 'bigint', annotated_pages: 'bigint', compaction_usage: 'text', web_search_preview: 'int2',
};

const COLUMNS = CALL_COLUMNS.join(', ');
const CALL_ROWS: JsonColumn[] = [['call_uid', 'uuid'], ...CALL_COLUMNS.map((c): JsonColumn => [c, COLUMN_TYPES[c]])];
const TAG_KEY_ROWS: JsonColumn[] = [['month', 'bigint'], ['key', 'text']];

/** The batch's (month, tag key) pairs into call_tag_keys: a CTE of both statements below, on parameter $2. */
const KEYS_CTE = `keys AS (
    INSERT INTO call_tag_keys (month, key) SELECT month, key FROM (${jsonRowsSql(2, TAG_KEY_ROWS)}) AS k ORDER BY n
    ON CONFLICT (month, key) DO NOTHING
  )`;

/**
 * A batch never tried before: a plain INSERT (parameters: $1 the calls as JSON rows,
 * call_uid then CALL_COLUMNS; $2 the (month, tag key) pairs). A call id stored already
 * fails it with a unique violation (23505), and the batch is written again with
 * REPLAY_CALLS_SQL. Measured: ON CONFLICT's speculative insertion cost the server ~2.4 µs
 * per call, and a replayed record is rare (a batch whose commit was not acknowledged).
 */
export const INSERT_CALLS_SQL = `WITH src AS (
    ${jsonRowsSql(1, CALL_ROWS)}
  ), ${KEYS_CTE}
  INSERT INTO calls (call_uid, ${COLUMNS}) SELECT call_uid, ${COLUMNS} FROM src ORDER BY n`;

/**
 * The same, skipping calls already stored; returns the position (1-based) of each record
 * that was not inserted. Only those travel back: a row back per call cost the replica
 * more than the whole insert on the wire.
 */
export const REPLAY_CALLS_SQL = `WITH src AS (
    ${jsonRowsSql(1, CALL_ROWS)}
  ), ins AS (
    INSERT INTO calls (call_uid, ${COLUMNS}) SELECT call_uid, ${COLUMNS} FROM src ORDER BY n
    ON CONFLICT (ts, call_uid) DO NOTHING
    RETURNING call_uid, ts
  ), ${KEYS_CTE}
  SELECT src.n FROM src WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.call_uid = src.call_uid AND ins.ts = src.ts)`;

/** SQLSTATE unique_violation: INSERT_CALLS_SQL met a call id stored already. */
export const DUPLICATE_CALL = '23505';

/** A record ready for the batch: validated parameters and its rollup fields (with its tags). */
export interface PreparedCall {
  uid: string;
  params: SqlValue[];
  rollup: RolledCall;
}

const TAGS = CALL_COLUMNS.indexOf('tags');
/** A NUL or a UTF-16 surrogate without its pair: what jsonb (and PostgreSQL text) cannot hold. */
const NOT_JSONB = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Validates one record (callToParams) and keeps what the batch needs. Reads take tags
 * from calls.tags as jsonb, which refuses a NUL or a lone surrogate; such a tag is refused
 * here, as a column holding one is refused by the insert (the row could never be read).
 * @throws InvalidCallRecordError for a record PostgreSQL could not keep.
 */
export function prepareCall(record: CallRecord & { callId: string }): PreparedCall {
  const params = callToParams(record);
  const tags = tagEntries(record);
  // JSON.stringify writes both as \u escapes: the exact check runs only when one is there.
  if ((params[TAGS] as string).includes('\\u')) {
    for (const [k, v] of tags) if (NOT_JSONB.test(k) || NOT_JSONB.test(v)) throw new InvalidCallRecordError(`tags.${k}`, v);
  }
  return { uid: record.callId.toLowerCase(), params, rollup: rolledCall(record, tags) };
}

/**
 * Inserts the calls: `fresh` with INSERT_CALLS_SQL (fails with DUPLICATE_CALL when one is
 * stored already), `replay` with REPLAY_CALLS_SQL (skips those). @returns the calls that
 * were inserted, in batch order (a call id twice in the batch counts once).
 */
export async function insertCallBatch(tx: postgres.TransactionSql, calls: readonly PreparedCall[], mode: 'fresh' | 'replay'): Promise<PreparedCall[]> {
  if (calls.length === 0) return [];
  const unique = withoutRepeats(calls);
  const rows = unique.map((c) => [c.uid, ...c.params]);
  const params = [jsonRows(rows), jsonRows(tagKeyMonths(unique.map((c) => c.rollup)))];
  if (mode === 'fresh') {
    await tx.unsafe(INSERT_CALLS_SQL, params, { prepare: true });
    return unique;
  }
  const result = await tx.unsafe(REPLAY_CALLS_SQL, params, { prepare: true });
  const stored = new Set((result as unknown as Array<{ n: number | string }>).map((r) => Number(r.n) - 1));
  return stored.size === 0 ? unique : unique.filter((_, i) => !stored.has(i));
}

/** `calls` without a second record of a call id already in it (the first one is kept). */
function withoutRepeats(calls: readonly PreparedCall[]): PreparedCall[] {
  const seen = new Set<string>();
  let repeats = false;
  for (const c of calls) {
    if (seen.has(c.uid)) repeats = true;
    seen.add(c.uid);
  }
  if (!repeats) return [...calls];
  seen.clear();
  return calls.filter((c) => !seen.has(c.uid) && seen.add(c.uid) !== undefined);
}
