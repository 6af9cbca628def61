import type { CallRow as StoredRow } from './call-row.js';
import { isPerImageCall } from '../domain/billing-units.js';
import { usageFromRow, type KnownUsageColumns } from './call-row-reader.js';
import type { Db } from './db.js';
import { MEASURE_COLUMNS, callMeasures, measureValues, subtractMeasures, type Measures } from './measures.js';
import type { PricedCallCounts, RepriceCall, RepriceModelTotals, RepriceOptions, RepriceResult, RepriceTotals } from './price-records.js';
import { foldPendingEntities } from './entity-pending-fold.js';
import { byChangeThenName } from './reprice-order.js';
import { isReached } from './reached.js';
import { aggregateRollups, type RolledCall } from './rollup-aggregate.js';
import type { CallOutcome, SqlValue, UsageSource } from './types.js';

/**
 * `prices reprice`: recomputes the cost of stored calls from their recorded usage and
 * moves the calls, their rollup rows and entity rows by the difference, one transaction
 * per batch, on SQLite and PostgreSQL alike. The rows a changed call moves are the ones
 * the rollup writers added it to (rollup-aggregate.ts, summing each call's change of
 * measures). The audit trail (schema v8) gets the run, its per-model totals (with the
 * calls that had a cost before and have one after, v24) and, for calls of the last 32
 * days, each call's cost change so running proxies can move their budget counters
 * (reprice_spend). Money integer nano-USD, times ms since the epoch.
 */

/**
 * A calls row as a batch reads it (see call-row.ts CallRow). `model` is COALESCE(model,
 * model_requested); input_tokens is never NULL (calls with unknown usage are not repriced).
 */
type CallRow = Pick<StoredRow, 'id' | 'ts' | 'key_name' | 'provider' | 'endpoint' | 'cost_nano' | 'price_source' | 'status' | 'latency_ms' | 'ttfb_ms' | 'tags' | 'error'> &
  KnownUsageColumns & { model: string; usage_source: UsageSource; outcome: CallOutcome };

const DAY_MS = 86_400_000;

/**
 * Advisory lock key of repricing on PostgreSQL (any fixed 64-bit number, "tokoprce"):
 * each batch takes it, so batches of runs going at once commit one after another. A
 * batch then reads calls as the previous one left them (never moving a cost twice), and
 * reprice_spend ids become visible in increasing order, which the proxies' polls rely on.
 * On SQLite the batch's BEGIN IMMEDIATE does the same.
 */
const REPRICE_LOCK = 0x746f6b6f_70726365n;

/** Totals as a reprice counts them: with its counts of calls with a cost, never null. */
type Counted = RepriceTotals & PricedCallCounts;
type CountedModel = RepriceModelTotals & PricedCallCounts;

/** A call whose cost changes, with the rollup fields of the stored row (cost = the old one). */
interface RepricedCall extends RolledCall {
  newCostNano: number;
}

/** What a repriced call changes in the measures of each row it was rolled up into. */
function costChange(c: RepricedCall): Measures {
  return subtractMeasures(callMeasures({ ...c, costNano: c.newCostNano }), callMeasures(c));
}

function toCall(r: CallRow): RepriceCall {
  const usage = usageFromRow(r);
  return {
    id: Number(r.id),
    ts: Number(r.ts),
    keyName: r.key_name,
    provider: r.provider,
    endpoint: r.endpoint,
    model: r.model,
    usage,
    usageSource: r.usage_source,
    costNano: r.cost_nano === null ? null : Number(r.cost_nano),
    priceSource: r.price_source,
    tags: JSON.parse(r.tags) as Record<string, string>,
    error: r.error,
  };
}

/** The stored call as the rollup writer saw it, with its new cost. */
function repriced(call: RepriceCall, r: CallRow, newCostNano: number): RepricedCall {
  return {
    ts: call.ts,
    keyName: call.keyName,
    provider: call.provider,
    endpoint: call.endpoint,
    model: call.model,
    outcome: r.outcome,
    status: Number(r.status),
    reached: isReached({ outcome: r.outcome, ttfbMs: r.ttfb_ms === null ? null : Number(r.ttfb_ms), usageSource: r.usage_source }),
    costNano: call.costNano,
    usageSource: r.usage_source,
    inputTokens: call.usage.inputTokens,
    outputTokens: r.output_tokens === null ? null : call.usage.outputTokens,
    cachedInputTokens: r.cached_input_tokens === null ? null : call.usage.cacheReadTokens,
    latencyMs: Number(r.latency_ms),
    tags: Object.entries(call.tags),
    newCostNano,
  };
}

function zero(): Counted {
  return { calls: 0, changed: 0, unpriced: 0, oldTotalNano: 0, newTotalNano: 0, oldPricedCalls: 0, newPricedCalls: 0 };
}

function add(into: Counted, t: Counted): void {
  into.calls += t.calls;
  into.changed += t.changed;
  into.unpriced += t.unpriced;
  into.oldTotalNano += t.oldTotalNano;
  into.newTotalNano += t.newTotalNano;
  into.oldPricedCalls += t.oldPricedCalls;
  into.newPricedCalls += t.newPricedCalls;
}

/** The batch after (ts, id) in (ts, id) order: keyset paging on the calls_ts index. */
function selectBatch(db: Db, o: RepriceOptions, after: { ts: number; id: number }, limit: number): Promise<CallRow[]> {
  const params: SqlValue[] = [o.since, o.until, after.ts, after.ts, after.id];
  let filter = '';
  if (o.model) {
    if (o.model.endsWith('*')) {
      const prefix = o.model.slice(0, -1);
      filter = ` AND substr(COALESCE(model, model_requested), 1, ${prefix.length}) = ?`;
      params.push(prefix);
    } else {
      filter = ' AND COALESCE(model, model_requested) = ?';
      params.push(o.model);
    }
  }
  params.push(limit);
  return db.all<CallRow>(
    `SELECT id, ts, key_name, provider, endpoint, COALESCE(model, model_requested) AS model, input_tokens, output_tokens,
       cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, service_tier, input_audio_tokens,
       output_audio_tokens, cache_audio_read_tokens, input_image_tokens, output_image_tokens, web_searches, web_search_preview, file_searches, inference_geo, speed, advisor_usage, compaction_usage, audio_seconds, document_pages, annotated_pages, cost_nano, price_source, usage_source, outcome, status, latency_ms, ttfb_ms, tags, error
     FROM calls
     WHERE ts >= ? AND ts < ? AND (ts > ? OR (ts = ? AND id > ?)) AND input_tokens IS NOT NULL
       AND COALESCE(model, model_requested) IS NOT NULL${filter}
     ORDER BY ts, id LIMIT ?`,
    params,
  );
}

const ADD_MEASURES = MEASURE_COLUMNS.map((c) => `${c} = ${c} + ?`).join(', ');

/** Reprices one batch on `tx` (inside its transaction unless dry). @returns the batch's totals per model. */
async function repriceBatch(tx: Db, o: RepriceOptions, rows: readonly CallRow[], runId: number | null, spendFrom: number): Promise<Map<string, CountedModel>> {
  const byModel = new Map<string, CountedModel>();
  const changed: RepricedCall[] = [];
  const write = runId !== null;

  for (const row of rows) {
    const call = toCall(row);
    // A call billed by something not stored (keepsRecordedCost) has no price now: it keeps its recorded cost, or its lack of one.
    const now = keepsRecordedCost(row) ? null : o.price(call);
    const id = `${call.provider}\u0000${call.model}`;
    let m = byModel.get(id);
    if (!m) byModel.set(id, (m = { provider: call.provider, model: call.model, ...zero() }));
    m.calls++;
    m.oldTotalNano += call.costNano ?? 0;
    const hadCost = call.costNano !== null;
    if (hadCost) m.oldPricedCalls++;
    if (now === null) {
      m.unpriced++;
      m.newTotalNano += call.costNano ?? 0;
      if (hadCost) m.newPricedCalls++;
      continue;
    }
    m.newTotalNano += now.costNano;
    m.newPricedCalls++;
    const costChanged = now.costNano !== call.costNano;
    if (costChanged) m.changed++;
    const error = now.error === undefined ? call.error : now.error;
    if (!write || (!costChanged && now.priceSource === call.priceSource && error === call.error)) continue;

    // ts picks the call's partition on PostgreSQL.
    await tx.run('UPDATE calls SET cost_nano = ?, price_source = ?, error = ? WHERE id = ? AND ts = ?', [now.costNano, now.priceSource, error, call.id, call.ts]);
    if (!costChanged) continue;
    changed.push(repriced(call, row, now.costNano));
    if (call.ts >= spendFrom) {
      await tx.run('INSERT INTO reprice_spend (run_id, ts, key_name, tags, delta_nano) VALUES (?, ?, ?, ?, ?)', [
        runId,
        call.ts,
        call.keyName,
        row.tags,
        now.costNano - (call.costNano ?? 0),
      ]);
    }
  }
  if (!write) return byModel;

  if (changed.length > 0) {
    const keys = await tx.all<{ key: string; rolled_up: number }>('SELECT key, rolled_up FROM tag_keys');
    const rolledUp = new Set(keys.filter((r) => Number(r.rolled_up) === 1).map((r) => r.key));
    // In aggregateRollups' order, the order the record writers lock these rows in.
    const { cells, entities } = aggregateRollups(changed, (k) => rolledUp.has(k), { measure: costChange });
    for (const c of cells) {
      await tx.run(`UPDATE rollups SET ${ADD_MEASURES} WHERE dim_id = (SELECT id FROM rollup_dims WHERE ident = ?) AND hour = ?`, [
        ...measureValues(c.sums),
        c.ident,
        c.hour,
      ]);
    }
    for (const e of entities) {
      await tx.run(`UPDATE entity_months SET ${ADD_MEASURES} WHERE key = ? AND seg_key = ? AND month = ? AND seg_value = ? AND value = ?`, [
        ...measureValues(e.sums),
        e.key,
        e.segKey,
        e.month,
        e.segValue,
        e.value,
      ]);
    }
  }
  const t = zero();
  for (const m of byModel.values()) {
    add(t, m);
    await tx.run(
      `INSERT INTO reprice_models (run_id, provider, model, calls, changed, old_total_nano, new_total_nano, old_priced_calls, new_priced_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, provider, model) DO UPDATE SET calls = reprice_models.calls + excluded.calls, changed = reprice_models.changed + excluded.changed,
         old_total_nano = reprice_models.old_total_nano + excluded.old_total_nano, new_total_nano = reprice_models.new_total_nano + excluded.new_total_nano,
         old_priced_calls = reprice_models.old_priced_calls + excluded.old_priced_calls, new_priced_calls = reprice_models.new_priced_calls + excluded.new_priced_calls`,
      [runId, m.provider, m.model, m.calls, m.changed, m.oldTotalNano, m.newTotalNano, m.oldPricedCalls, m.newPricedCalls],
    );
  }
  await tx.run(
    `UPDATE reprice_runs SET calls = calls + ?, changed = changed + ?, unpriced = unpriced + ?,
       old_total_nano = old_total_nano + ?, new_total_nano = new_total_nano + ?,
       old_priced_calls = old_priced_calls + ?, new_priced_calls = new_priced_calls + ? WHERE id = ?`,
    [t.calls, t.changed, t.unpriced, t.oldTotalNano, t.newTotalNano, t.oldPricedCalls, t.newPricedCalls, runId],
  );
  return byModel;
}

/**
 * Reprices the calls of [since, until) (optionally one model) at the prices `price` gives.
 * Calls without a price now keep their cost; usage flags (reported / estimated) are never
 * touched. Each batch commits on its own, with the run's counters, so a run that dies
 * leaves consistent calls, rollups and audit rows for the batches it finished.
 */
export async function repriceCalls(db: Db, o: RepriceOptions): Promise<RepriceResult> {
  const batchSize = o.batchSize ?? 500;
  const started = o.clock();
  const spendFrom = started - (o.spendWindowMs ?? 32 * DAY_MS);
  let runId: number | null = null;
  if (!o.dryRun) {
    const row = await db.get<{ id: number }>(
      `INSERT INTO reprice_runs (actor, started_at, since, until, model, prices, calls, changed, unpriced, old_total_nano, new_total_nano, old_priced_calls, new_priced_calls)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0) RETURNING id`,
      [o.actor, started, o.since, o.until, o.model ?? null, o.prices],
    );
    runId = Number(row!.id);
  }
  const models = new Map<string, CountedModel>();
  let after = { ts: o.since - 1, id: 0 };
  for (;;) {
    const step = async (tx: Db) => {
      if (runId !== null && tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [REPRICE_LOCK.toString()]);
      // Before any cost moves: the entity rows the batch's changes go into must hold every call.
      if (runId !== null) await foldPendingEntities(tx);
      const rows = await selectBatch(tx, o, after, batchSize);
      if (rows.length === 0) return 0;
      const last = rows[rows.length - 1]!;
      after = { ts: Number(last.ts), id: Number(last.id) };
      for (const [id, m] of await repriceBatch(tx, o, rows, runId, spendFrom)) {
        const total = models.get(id);
        if (total) add(total, m);
        else models.set(id, m);
      }
      return rows.length;
    };
    const n = runId === null ? await step(db) : await db.transaction(step);
    if (n < batchSize) break;
  }
  if (runId !== null) await db.run('UPDATE reprice_runs SET finished_at = ? WHERE id = ?', [o.clock(), runId]);
  const totals = zero();
  for (const m of models.values()) add(totals, m);
  const list = [...models.values()].sort(byChangeThenName);
  return { runId, ...totals, models: list };
}

/**
 * Whether a stored call's cost stays as recorded whatever the prices (`prices reprice`): its
 * usage has no token counts because the provider bills it by something tokometer did not store,
 * so a token price would read $0. An endpoint's call with reported usage and no token counts:
 * - audio (`audio.*`) written without its seconds (before schema v21; migration 021 calls this
 *   isBilledByDuration, its name until images joined it): whisper-1, whose answer
 *   reports `{type: "duration", seconds}` (token-billed transcriptions always report their audio
 *   input tokens); one with its seconds is priced again from them (pricing/pricer.ts);
 * - images (`images.*`): a model billed per image (dall-e-2, dall-e-3, variations), recorded
 *   unpriced (providers/openai-images.ts usagelessImages), or at the cost its vendor reported
 *   (xAI `cost_in_usd_ticks`: price_source 'provider', proxy/recorded-usage.ts).
 */
function keepsRecordedCost(row: Pick<CallRow, 'endpoint' | 'usage_source' | 'input_tokens' | 'output_tokens'> & Partial<Pick<CallRow, 'audio_seconds'>>): boolean {
  if (row.usage_source !== 'reported') return false;
  const input = Number(row.input_tokens);
  const output = Number(row.output_tokens ?? 0);
  if (isPerImageCall(row.endpoint, input, output)) return true;
  return row.endpoint.startsWith('audio.') && input === 0 && output === 0 && row.audio_seconds == null;
}
