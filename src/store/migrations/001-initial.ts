import type { Migration } from './types.js';

/**
 * Schema v1: the call log, one row per tag for grouping, and metering keys.
 *
 * calls: times in ms since the epoch (ts INTEGER) or ms durations (REAL); money in
 * integer nano-USD (cost_nano NULL = unpriced, never a silent 0); token columns are NULL
 * when the usage is unknown (usage null) and follow the Usage inclusion rules
 * (cached/cache-write are subsets of input, reasoning is a subset of output).
 * streamed is 0/1; tags is the call's tags as a JSON object.
 *
 * call_tags mirrors calls.tags (one row per key) so reports can group by any tag through
 * the (key, value) index instead of scanning json_extract. Rows go away with their call.
 *
 * keys: never the secret, only its prefix and SHA-256 hash; tags/providers/models/budget
 * are JSON (budget NULL = no budget); created_at/revoked_at in ms since the epoch.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE calls (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      key_name TEXT,
      provider TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      model_requested TEXT,
      model TEXT,
      status INTEGER NOT NULL,
      outcome TEXT NOT NULL,
      streamed INTEGER NOT NULL,
      input_tokens INTEGER,
      output_tokens INTEGER,
      cached_input_tokens INTEGER,
      cache_write_5m_tokens INTEGER,
      cache_write_1h_tokens INTEGER,
      reasoning_tokens INTEGER,
      input_audio_tokens INTEGER,
      output_audio_tokens INTEGER,
      cost_nano INTEGER,
      provider_cost_nano INTEGER,
      price_source TEXT,
      usage_source TEXT NOT NULL,
      latency_ms REAL NOT NULL,
      ttfb_ms REAL,
      tags TEXT NOT NULL DEFAULT '{}',
      request_hash TEXT,
      prompt_bytes INTEGER NOT NULL,
      max_output_tokens INTEGER,
      error TEXT,
      service_tier TEXT
    );
    CREATE INDEX calls_ts ON calls (ts);
    CREATE INDEX calls_key_name_ts ON calls (key_name, ts);

    CREATE TABLE call_tags (
      call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (call_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX call_tags_key_value ON call_tags (key, value);

    CREATE TABLE keys (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      tags TEXT NOT NULL DEFAULT '{}',
      providers TEXT NOT NULL DEFAULT '[]',
      models TEXT NOT NULL DEFAULT '[]',
      budget TEXT,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
  `,
};
