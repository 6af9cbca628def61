import type { Detector, AuditReport, Finding, KeyBudgetRef } from '../../src/audit/types.js';
import { runAudit, type AuditInput } from '../../src/audit/runner.js';
import type { TagBudget } from '../../src/budget/types.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { WhereClause } from '../../src/report/types.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import type { CallOutcome, CallRecord } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';

/**
 * Synthetic call logs for the audit tests, written through the real store on a temporary
 * better-sqlite3 database. The default window is November 2026 (30 days, UTC) and the
 * first call of every dataset is at its start, so the observed span is exactly 30 days and
 * the monthly saving equals the window's saving unless a test says otherwise.
 */

export const USD = 1_000_000_000;
export const SINCE = Date.parse('2026-11-01T00:00:00Z');
export const UNTIL = Date.parse('2026-12-01T00:00:00Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const pricer = createPricer();

export interface Spec {
  /** ms since the epoch; default SINCE. */
  at?: number;
  provider?: string;
  model?: string;
  /** The model the request named; default `model` (an answer from the model asked for). */
  requested?: string;
  endpoint?: string;
  key?: string | null;
  input?: number;
  output?: number;
  cached?: number;
  write5m?: number;
  /** false = usage unknown. */
  usage?: boolean;
  /** Stored cost in nano-USD; default: priced by the catalog; null = unpriced. */
  cost?: number | null;
  outcome?: CallOutcome;
  streamed?: boolean;
  tags?: Record<string, string>;
  hash?: string | null;
  maxTokens?: number | null;
  latency?: number;
  usageSource?: CallRecord['usageSource'];
}

/** A CallRecord from a spec; the cost defaults to the catalog price of its usage. */
export function record(s: Spec): CallRecord {
  const provider = s.provider ?? 'openai';
  const model = s.model ?? 'gpt-4o';
  const at = s.at ?? SINCE;
  const usage =
    s.usage === false
      ? null
      : {
          inputTokens: s.input ?? 1000,
          outputTokens: s.output ?? 100,
          cacheReadTokens: s.cached ?? 0,
          cacheWrite5mTokens: s.write5m ?? 0,
          cacheWrite1hTokens: 0,
          reasoningTokens: 0,
        };
  let cost: number | null;
  if (s.cost !== undefined) cost = s.cost;
  else if (usage === null) cost = null;
  else {
    const r = pricer.price(usage, { provider, model, at });
    cost = r.priced ? r.costNano : null;
  }
  const outcome = s.outcome ?? 'ok';
  return {
    ts: at,
    keyName: s.key === undefined ? 'app' : s.key,
    provider,
    endpoint: s.endpoint ?? 'chat.completions',
    modelRequested: s.requested ?? model,
    model,
    status: outcome === 'ok' ? 200 : outcome === 'upstream_error' ? 500 : 0,
    outcome,
    streamed: s.streamed ?? false,
    usage,
    usageSource: s.usageSource ?? (usage === null ? 'unknown' : 'reported'),
    costNano: cost,
    providerCostNano: null,
    priceSource: cost === null ? null : 'test',
    latencyMs: s.latency ?? 800,
    ttfbMs: null,
    tags: s.tags ?? {},
    requestHash: s.hash === undefined ? null : s.hash,
    promptBytes: 4 * (s.input ?? 1000),
    maxOutputTokens: s.maxTokens ?? null,
    error: null,
  };
}

/** `n` specs from `make(i)`, call i at SINCE + i minutes unless `make` sets `at`. */
export function many(n: number, make: (i: number) => Spec): Spec[] {
  return Array.from({ length: n }, (_, i) => ({ at: SINCE + i * MINUTE, ...make(i) }));
}

/** A migrated in-memory store holding the calls. */
export function storeWith(specs: readonly Spec[]): Store {
  const store = createStore(openDriver(':memory:'));
  store.insertCalls(specs.map(record));
  return store;
}

export interface AuditOptions {
  detectors?: Detector[];
  since?: number;
  until?: number;
  now?: number;
  where?: WhereClause[];
  keyBudgets?: KeyBudgetRef[];
  tagBudgets?: TagBudget[];
  batchTags?: WhereClause[];
  minSaving?: number;
  timeZone?: string;
  reconcileRuns?: AuditInput['reconcileRuns'];
}

/** Runs the audit over `specs` (window November 2026, no saving floor unless given). */
export async function audit(specs: readonly Spec[], o: AuditOptions = {}): Promise<AuditReport> {
  const store = storeWith(specs);
  try {
    const input: AuditInput = {
      store,
      pricer,
      since: o.since ?? SINCE,
      until: o.until ?? UNTIL,
      now: o.now ?? o.until ?? UNTIL,
      timeZone: o.timeZone ?? 'UTC',
      where: o.where ?? [],
      keyBudgets: o.keyBudgets ?? [],
      tagBudgets: o.tagBudgets ?? [],
      batchTags: o.batchTags ?? [],
      minSavingPerMonthNano: o.minSaving ?? 0,
      ...(o.detectors ? { detectors: o.detectors } : {}),
      ...(o.reconcileRuns ? { reconcileRuns: o.reconcileRuns } : {}),
    };
    return await runAudit(input);
  } finally {
    await store.close();
  }
}

/** The findings of one detector. */
export async function findings(specs: readonly Spec[], detector: Detector, o: AuditOptions = {}): Promise<Finding[]> {
  return (await audit(specs, { ...o, detectors: [detector] })).findings;
}

/** A fact's value by key. */
export function factOf(f: Finding, key: string): number | string | undefined {
  return f.evidence.facts.find((x) => x.key === key)?.value;
}
