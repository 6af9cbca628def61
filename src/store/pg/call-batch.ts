import type postgres from 'postgres';
import { CALL_COLUMNS, callToParams, tagEntries } from '../call-row.js';
import { rolledCall, type RolledCall } from '../rollup-aggregate.js';
import type { CallRecord, SqlValue } from '../types.js';
import { jsonRows, jsonRowsSql, type JsonColumn } from './json-rows.js';

/**
 * Inserts a batch of call records into calls and call_tags in one statement (rows sent
 * as JSON, json-rows.ts), skipping records whose call_uid is already stored: a replayed
 * record is a no-op. Returns what rollups need of the records that were inserted.
 */

/** PostgreSQL type of each calls column written, in CALL_COLUMNS order. */
const COLUMN_TYPES: Record<(typeof CALL_COLUMNS)[number], string> = {
  ts: 'bigint', key_name: 'text', provider: 'text', endpoint: 'text', model_requested: 'text', model: 'text',
  status: 'int', outcome: 'text', streamed: 'int', input_tokens: 'bigint', output_tokens: 'bigint',
  cached_input_tokens: 'bigint', cache_write_5m_tokens: 'bigint', cache_write_1h_tokens: 'bigint',
  reasoning_tokens: 'bigint', input_audio_tokens: 'bigint', output_audio_tokens: 'bigint', cost_nano: 'bigint',
  provider_cost_nano: 'bigint', price_source: 'text', usage_source: 'text', latency_ms: 'float8', ttfb_ms: 'float8',
  tags: 'text', request_hash: 'text', prompt_bytes: 'bigint', max_output_tokens: 'bigint', error: 'text', service_tier: 'text',
};

const COLUMNS = CALL_COLUMNS.join(', ');
const CALL_ROWS: JsonColumn[] = [['call_uid', 'uuid'], ...CALL_COLUMNS.map((c): JsonColumn => [c, COLUMN_TYPES[c]])];
const TAG_ROWS: JsonColumn[] = [['call_uid', 'uuid'], ['key', 'text'], ['value', 'text']];

/** Parameters: $1 the calls as JSON rows (call_uid, then CALL_COLUMNS), $2 their tags as (call_uid, key, value). */
export const INSERT_CALLS_SQL = `WITH src AS (
    ${jsonRowsSql(1, CALL_ROWS)}
  ), ins AS (
    INSERT INTO calls (call_uid, ${COLUMNS}) SELECT call_uid, ${COLUMNS} FROM src ORDER BY n
    ON CONFLICT (call_uid, ts) DO NOTHING
    RETURNING id, call_uid, ts
  ), tags AS (
    INSERT INTO call_tags (call_id, ts, key, value)
    SELECT ins.id, ins.ts, t.key, t.value FROM ins JOIN (${jsonRowsSql(2, TAG_ROWS)}) AS t ON t.call_uid = ins.call_uid
  )
  SELECT call_uid::text AS uid FROM ins`;

/** A record ready for the batch: validated parameters, its tags and its rollup fields. */
export interface PreparedCall {
  uid: string;
  params: SqlValue[];
  tags: [string, string][];
  rollup: RolledCall;
}

/**
 * Validates one record (callToParams) and keeps what the batch needs.
 * @throws InvalidCallRecordError for a record no store could keep.
 */
export function prepareCall(record: CallRecord & { callId: string }): PreparedCall {
  const params = callToParams(record);
  const tags = tagEntries(record);
  return { uid: record.callId.toLowerCase(), params, tags, rollup: rolledCall(record, tags) };
}

/** Inserts the calls not stored yet (with their tags). @returns those that were inserted, in batch order. */
export async function insertCallBatch(tx: postgres.TransactionSql, calls: readonly PreparedCall[]): Promise<PreparedCall[]> {
  if (calls.length === 0) return [];
  const rows: unknown[][] = new Array(calls.length);
  const tags: unknown[][] = [];
  calls.forEach((c, i) => {
    rows[i] = [c.uid, ...c.params];
    for (const [k, v] of c.tags) tags.push([c.uid, k, v]);
  });
  const params = [jsonRows(rows), jsonRows(tags)];
  const result = await tx.unsafe(INSERT_CALLS_SQL, params, { prepare: true });
  const inserted = new Set((result as unknown as Array<{ uid: string }>).map((r) => r.uid));
  return inserted.size === calls.length ? [...calls] : calls.filter((c) => inserted.has(c.uid));
}
