import { readOutputMaxima } from './output-maxima.js';
import { joinFragments, whereFragment } from './scope.js';
import { NONE } from '../../report/types.js';
import type { CallRow } from '../call-row.js';
import { usageFromRow } from '../call-row-reader.js';
import type { Db } from '../db.js';
import type { CallOutcome, CallReads, StoredCall, UsageSource } from '../types.js';

/**
 * Reads of the raw call log outside reports: the calls an audit looks at (the report's
 * scope rules: time range, key and `--where`, see report/sql-scope.ts) and the time of
 * the first call (of the whole log, or the first that matches `--where`). Only the
 * columns the audit's detectors use are read: building row objects is most of the cost.
 * The billing conditions (service_tier, inference_geo, speed), the advisor
 * sub-inferences (advisor_usage), the compaction steps (compaction_usage), the optional counts (audio and image tokens in and out,
 * cached audio, web and file searches, and whether the web searches ran on OpenAI's preview
 * tool: web_search_preview), the seconds of audio (audio_seconds: whisper-1) and
 * the pages of a document (document_pages, annotated_pages: Mistral OCR) are among them: the
 * detectors price usage again, and a price modifier, an advisor, a compaction step, an audio or image count,
 * a search, the audio's duration or the pages change the price.
 * Memory: roughly 300 bytes per call. An optional count is a field of the call's usage only
 * when stored (usageFromRow leaves a NULL out): a text call costs nothing more for them.
 */

/**
 * The columns read (see CallRow); `model` is COALESCE(model, model_requested, '(none)'),
 * `model_requested_if_other` NULLIF(model_requested, model): most calls' answer names the
 * requested model, and a NULL costs no string per row.
 */
type Row = Pick<
  CallRow,
  | 'id' | 'ts' | 'key_name' | 'provider' | 'endpoint' | 'outcome' | 'streamed' | 'input_tokens' | 'output_tokens' | 'cached_input_tokens'
  | 'cache_write_5m_tokens' | 'cache_write_1h_tokens' | 'reasoning_tokens' | 'input_audio_tokens' | 'output_audio_tokens' | 'cache_audio_read_tokens'
  | 'input_image_tokens' | 'output_image_tokens' | 'web_searches' | 'web_search_preview' | 'file_searches' | 'service_tier' | 'inference_geo' | 'speed' | 'advisor_usage' | 'compaction_usage'
  | 'audio_seconds' | 'document_pages' | 'annotated_pages' | 'usage_source' | 'cost_nano'
  | 'request_hash' | 'max_output_tokens' | 'tags' | 'ttfb_ms'
> & { model: string; model_requested_if_other: string | null };

function toCall(r: Row): StoredCall {
  return {
    id: Number(r.id),
    ts: Number(r.ts),
    keyName: r.key_name,
    provider: r.provider,
    model: r.model,
    modelRequestedIfOther: r.model_requested_if_other,
    endpoint: r.endpoint,
    outcome: r.outcome as CallOutcome,
    streamed: Number(r.streamed) === 1,
    usage: usageFromRow(r),
    usageSource: r.usage_source as UsageSource,
    costNano: r.cost_nano === null ? null : Number(r.cost_nano),
    requestHash: r.request_hash,
    maxOutputTokens: r.max_output_tokens,
    ttfbMs: r.ttfb_ms === null ? null : Number(r.ttfb_ms),
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

/** CallReads over `db` (see types.ts). */
export function callReads(db: Db): CallReads {
  return {
    outputMaxima: (since) => readOutputMaxima(db, since),
    async list(scope) {
      const q = joinFragments(
        `SELECT c.id, c.ts, c.key_name, c.provider, COALESCE(c.model, c.model_requested, '${NONE}') AS model,
           NULLIF(c.model_requested, c.model) AS model_requested_if_other, c.endpoint,
           c.outcome, c.streamed, c.input_tokens, c.output_tokens, c.cached_input_tokens, c.cache_write_5m_tokens,
           c.cache_write_1h_tokens, c.reasoning_tokens, c.input_audio_tokens, c.output_audio_tokens, c.cache_audio_read_tokens,
           c.input_image_tokens, c.output_image_tokens, c.web_searches, c.web_search_preview, c.file_searches, c.service_tier, c.inference_geo, c.speed, c.advisor_usage, c.compaction_usage, c.audio_seconds, c.document_pages, c.annotated_pages, c.usage_source, c.cost_nano,
           c.request_hash, c.max_output_tokens, c.tags, c.ttfb_ms
         FROM calls c`,
        whereFragment(db.dialect, { ...scope, where: [...scope.where] }),
        'ORDER BY c.ts, c.id',
      );
      return (await db.all<Row>(q.sql, q.params)).map(toCall);
    },

    async firstCallAt(where = []) {
      // Without a filter, a bare MIN (one index lookup on both stores).
      if (where.length === 0) return numberOrNull((await db.get<{ ts: number | null }>('SELECT MIN(ts) AS ts FROM calls'))?.ts);
      // No time range: 0 and MAX_SAFE_INTEGER bound every stored ts (ms since the epoch).
      const q = joinFragments('SELECT MIN(c.ts) AS ts FROM calls c', whereFragment(db.dialect, { since: 0, until: Number.MAX_SAFE_INTEGER, where: [...where], timeZone: 'UTC' }));
      return numberOrNull((await db.get<{ ts: number | null }>(q.sql, q.params))?.ts);
    },
  };
}

/** A MIN(ts) as a number (PostgreSQL answers a bigint as text); null when there are no rows. */
function numberOrNull(ts: number | string | null | undefined): number | null {
  return ts === null || ts === undefined ? null : Number(ts);
}
