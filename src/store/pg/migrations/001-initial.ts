import { LATENCY_BUCKET_LOW, latencyBucketMid } from '../../rollup-policy.js';
import type { Migration } from '../../migrations/types.js';

const BUCKET_ROWS = LATENCY_BUCKET_LOW.map((lo, i) => `(${i}, ${String(lo)}, ${String(latencyBucketMid(i))})`).join(',\n      ');
/** The measure columns of rollups and entity_months (as of v1; store/measures.ts holds today's list). */
const MEASURE_DDL = ['calls', 'priced', 'unpriced', 'cost_nano', 'input_tokens', 'output_tokens', 'cached_input_tokens'].map((c) => `${c} BIGINT NOT NULL,`).join('\n      ');

/** v1's tokometer_ensure_month, as released (never edited: 005-tags-in-calls derives its replacement from it). */
export const ENSURE_MONTH_V1 = `    CREATE FUNCTION tokometer_ensure_month(month_start BIGINT) RETURNS VOID LANGUAGE plpgsql AS $fn$
    DECLARE
      starts TIMESTAMP := to_timestamp(month_start / 1000.0) AT TIME ZONE 'UTC';
      month_end BIGINT := (extract(epoch FROM (starts + interval '1 month')) * 1000)::bigint;
      suffix TEXT := to_char(starts, 'YYYYMM');
    BEGIN
      IF date_trunc('month', starts) <> starts THEN
        RAISE EXCEPTION 'tokometer_ensure_month: % is not the start of a UTC month', month_start;
      END IF;
      IF to_regclass('calls_p' || suffix) IS NOT NULL AND to_regclass('call_tags_p' || suffix) IS NOT NULL THEN
        RETURN;
      END IF;
      -- Replicas creating the same month at once take turns.
      PERFORM pg_advisory_xact_lock(hashtext('tokometer:partitions'));
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF calls FOR VALUES FROM (%s) TO (%s)', 'calls_p' || suffix, month_start, month_end);
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF call_tags FOR VALUES FROM (%s) TO (%s)', 'call_tags_p' || suffix, month_start, month_end);
    END
    $fn$;
`;

/**
 * PostgreSQL schema v1: the same tables, columns and meanings as the SQLite schema
 * (store/migrations/001–006; read those comments for what each column holds), so the
 * store's read modules run the same SQL on both. Differences, all on purpose:
 *
 * - Times in ms since the epoch and money in nano-USD are BIGINT; latencies, bucket
 *   bounds and thresholds DOUBLE PRECISION. 0/1 flags stay INTEGER, JSON stays TEXT, so
 *   rows read back in the same shape as on SQLite.
 * - Row ids come from identity columns (SQLite's INTEGER PRIMARY KEY rowids).
 * - calls and call_tags are partitioned by month on ts (UTC; call_tags carries its
 *   call's ts for that): one partition per month, named calls_pYYYYMM / call_tags_pYYYYMM,
 *   created ahead of need by tokometer_ensure_month (see pg/partitions.ts). Retention
 *   drops whole partitions instead of deleting rows. There is no default partition: a
 *   row for a month without one fails (23514) until the writer creates it.
 * - calls.call_uid is the call's own id (UUID, given by the writer that first accepted
 *   it and kept through spill and replay). UNIQUE (call_uid, ts) makes a replayed record
 *   a no-op (a partitioned table's unique keys include the partition key; ts is part of
 *   the record, so a replay has the same one).
 * - rollups, entity_months and entity_counts have fillfactor 70 and entity_months only
 *   its primary key and first_ts index (no last_ts / cost indexes): their rows are
 *   updated by every batch, and an update that changes no indexed column is HOT (no
 *   index writes). Reads of those months scan the month's rows by primary key prefix.
 * - tokometer_meta holds what SQLite keeps in its header (application_id);
 *   tokometer_changes.value grows with every statement that changes keys, budget_resets
 *   or key_events (triggers), which also NOTIFY the channel tokometer_changes with the
 *   table's name: the change token of another process's key and budget edits.
 * - tokometer_merge_hist merges two latency_hist texts, for a rollup row another replica
 *   inserted while a batch was being written (pg/rollup-batch.ts).
 * - rollup_state starts with raw_since = 0 only: the table is empty.
 */
export const pgInitial: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE SEQUENCE calls_id_seq AS BIGINT CACHE 1000;
    CREATE TABLE calls (
      id BIGINT NOT NULL DEFAULT nextval('calls_id_seq'),
      call_uid UUID NOT NULL,
      ts BIGINT NOT NULL,
      key_name TEXT,
      provider TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      model_requested TEXT,
      model TEXT,
      status INTEGER NOT NULL,
      outcome TEXT NOT NULL,
      streamed INTEGER NOT NULL,
      input_tokens BIGINT,
      output_tokens BIGINT,
      cached_input_tokens BIGINT,
      cache_write_5m_tokens BIGINT,
      cache_write_1h_tokens BIGINT,
      reasoning_tokens BIGINT,
      input_audio_tokens BIGINT,
      output_audio_tokens BIGINT,
      cost_nano BIGINT,
      provider_cost_nano BIGINT,
      price_source TEXT,
      usage_source TEXT NOT NULL,
      latency_ms DOUBLE PRECISION NOT NULL,
      ttfb_ms DOUBLE PRECISION,
      tags TEXT NOT NULL DEFAULT '{}',
      request_hash TEXT,
      prompt_bytes BIGINT NOT NULL,
      max_output_tokens BIGINT,
      error TEXT,
      service_tier TEXT,
      UNIQUE (call_uid, ts)
    ) PARTITION BY RANGE (ts);
    ALTER SEQUENCE calls_id_seq OWNED BY calls.id;
    CREATE INDEX calls_ts ON calls (ts);
    CREATE INDEX calls_id ON calls (id);
    CREATE INDEX calls_key_name_ts ON calls (key_name, ts);

    CREATE TABLE call_tags (
      call_id BIGINT NOT NULL,
      ts BIGINT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (call_id, key, ts)
    ) PARTITION BY RANGE (ts);
    CREATE INDEX call_tags_key_value ON call_tags (key, value);

    CREATE TABLE keys (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      tags TEXT NOT NULL DEFAULT '{}',
      providers TEXT NOT NULL DEFAULT '[]',
      models TEXT NOT NULL DEFAULT '[]',
      budget TEXT,
      created_at BIGINT NOT NULL,
      revoked_at BIGINT
    );

    CREATE TABLE alerts (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      tag_value TEXT,
      threshold DOUBLE PRECISION NOT NULL,
      period TEXT NOT NULL,
      period_start BIGINT NOT NULL,
      spent_nano BIGINT NOT NULL,
      limit_nano BIGINT NOT NULL,
      soft INTEGER NOT NULL DEFAULT 0,
      fired_at BIGINT NOT NULL
    );
    CREATE INDEX alerts_period_start ON alerts (period_start);
    CREATE INDEX alerts_fired_at ON alerts (fired_at);

    CREATE TABLE budget_resets (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      tag_value TEXT,
      all_values INTEGER NOT NULL DEFAULT 0,
      period TEXT NOT NULL,
      period_start BIGINT NOT NULL,
      reset_at BIGINT NOT NULL,
      by TEXT NOT NULL
    );
    CREATE INDEX budget_resets_reset_at ON budget_resets (reset_at);

    CREATE TABLE key_events (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      ts BIGINT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      key_name TEXT NOT NULL,
      details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX key_events_key_name_ts ON key_events (key_name, ts);

    CREATE TABLE latency_buckets (bucket INTEGER PRIMARY KEY, lo DOUBLE PRECISION NOT NULL UNIQUE, mid DOUBLE PRECISION NOT NULL);
    INSERT INTO latency_buckets (bucket, lo, mid) VALUES
      ${BUCKET_ROWS};

    CREATE TABLE rollup_dims (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      key_name TEXT,
      provider TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      model TEXT,
      entity_mask INTEGER NOT NULL,
      outcome TEXT,
      status INTEGER,
      reached INTEGER NOT NULL DEFAULT 1,
      tag_key TEXT NOT NULL,
      tag_value TEXT NOT NULL,
      ident TEXT NOT NULL UNIQUE
    );
    CREATE INDEX rollup_dims_tag ON rollup_dims (tag_key, tag_value);

    CREATE TABLE rollups (
      dim_id BIGINT NOT NULL,
      hour BIGINT NOT NULL,
      ${MEASURE_DDL}
      latency_hist TEXT NOT NULL,
      PRIMARY KEY (dim_id, hour)
    ) WITH (fillfactor = 70);

    CREATE TABLE tag_keys (
      key TEXT PRIMARY KEY,
      rolled_up INTEGER NOT NULL,
      reason TEXT,
      changed_at BIGINT
    );

    CREATE TABLE tag_key_days (
      key TEXT NOT NULL,
      day BIGINT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (key, day, value)
    );

    CREATE TABLE entity_months (
      key TEXT NOT NULL,
      seg_key TEXT NOT NULL,
      month BIGINT NOT NULL,
      seg_value TEXT NOT NULL,
      value TEXT NOT NULL,
      first_ts BIGINT NOT NULL,
      last_ts BIGINT NOT NULL,
      ${MEASURE_DDL}
      PRIMARY KEY (key, seg_key, month, seg_value, value)
    ) WITH (fillfactor = 70);
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_ts);

    CREATE TABLE entity_counts (
      key TEXT NOT NULL,
      seg_key TEXT NOT NULL,
      month BIGINT NOT NULL,
      seg_value TEXT NOT NULL,
      entities BIGINT NOT NULL,
      PRIMARY KEY (key, seg_key, month, seg_value)
    ) WITH (fillfactor = 70);

    CREATE TABLE rollup_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO rollup_state (name, value) VALUES ('raw_since', 0);

    CREATE TABLE reconcile_runs (
      id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      provider TEXT NOT NULL,
      ran_at BIGINT NOT NULL,
      since BIGINT NOT NULL,
      until BIGINT NOT NULL,
      row_count BIGINT NOT NULL,
      differing BIGINT NOT NULL,
      unmetered_rows BIGINT NOT NULL,
      unmetered_requests BIGINT,
      unmetered_nano BIGINT NOT NULL,
      meter_nano BIGINT NOT NULL,
      bill_nano BIGINT NOT NULL
    );
    CREATE INDEX reconcile_runs_provider_ran_at ON reconcile_runs (provider, ran_at);

    -- What SQLite keeps in its file header: application_id (the demo's mark).
    CREATE TABLE tokometer_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL);

    -- A counter that grows with every committed change to keys and budgets (the change
    -- token replicas poll), announced on the channel tokometer_changes as well.
    CREATE TABLE tokometer_changes (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL);
    INSERT INTO tokometer_changes (id, value) VALUES (1, 0);
    CREATE FUNCTION tokometer_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $fn$
    BEGIN
      UPDATE tokometer_changes SET value = value + 1 WHERE id = 1;
      PERFORM pg_notify('tokometer_changes', TG_TABLE_NAME);
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON keys FOR EACH STATEMENT EXECUTE FUNCTION tokometer_changed();
    CREATE TRIGGER budget_resets_changed AFTER INSERT OR UPDATE OR DELETE ON budget_resets FOR EACH STATEMENT EXECUTE FUNCTION tokometer_changed();
    CREATE TRIGGER key_events_changed AFTER INSERT OR UPDATE OR DELETE ON key_events FOR EACH STATEMENT EXECUTE FUNCTION tokometer_changed();

    -- Two [bucket, calls, …] histogram texts summed per bucket, ascending (a merge of two
    -- sorted lists). Writers merge in JS the rows they have locked; this is for rows another
    -- writer inserted meanwhile.
    CREATE FUNCTION tokometer_merge_hist(a TEXT, b TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
    DECLARE
      x BIGINT[] := string_to_array(substr(a, 2, length(a) - 2), ',')::bigint[];
      y BIGINT[] := string_to_array(substr(b, 2, length(b) - 2), ',')::bigint[];
      nx INT := coalesce(array_length(x, 1), 0);
      ny INT := coalesce(array_length(y, 1), 0);
      i INT := 1;
      j INT := 1;
      o BIGINT[] := '{}';
    BEGIN
      WHILE i <= nx OR j <= ny LOOP
        IF j > ny OR (i <= nx AND x[i] < y[j]) THEN
          o := o || x[i:i + 1];
          i := i + 2;
        ELSIF i > nx OR y[j] < x[i] THEN
          o := o || y[j:j + 1];
          j := j + 2;
        ELSE
          IF x[i + 1] + y[j + 1] > 0 THEN
            o := o || ARRAY[x[i], x[i + 1] + y[j + 1]];
          END IF;
          i := i + 2;
          j := j + 2;
        END IF;
      END LOOP;
      RETURN '[' || array_to_string(o, ',') || ']';
    END
    $fn$;

    -- The partitions of calls and call_tags for the UTC month starting at month_start (ms).
${ENSURE_MONTH_V1}  `,
};
