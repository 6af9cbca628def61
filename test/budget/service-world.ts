import { BudgetService, type BudgetServiceOptions } from '../../src/budget/service.js';
import type { TagBudget } from '../../src/budget/types.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { KeyResolver } from '../../src/proxy/auth.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { KeyBudget } from '../../src/store/types.js';
import type { Store } from '../../src/store/facade.js';
import { makeCall } from '../store/fixtures.js';
import { testStore } from '../support/store.js';
import { USD } from './helpers.js';

export const at = (iso: string) => Date.parse(iso);
export const NOW = '2026-11-20T12:00:00Z';

/** A store with keys and a movable clock (starts at NOW); a new service on the same store is a restart. `lines` collects every service's log lines. */
export function world() {
  let now = at(NOW);
  const store = testStore(openDriver(':memory:'));
  const lines: string[] = [];
  const service = async (tags: TagBudget[] = [], s: Store = store, extra: Partial<BudgetServiceOptions> = {}) => {
    const keys = new KeyResolver(s, {});
    await keys.reload();
    return BudgetService.create({ store: s, keys, tagBudgets: tags, timeZone: 'UTC', pricer: createPricer(), clock: () => now, log: (l) => lines.push(l), ...extra });
  };
  const addKey = async (name: string, budget: KeyBudget | null) => {
    const secret = newMeteringKey();
    await store.keys.create({ name, prefix: keyPrefix(secret), hash: hashSecret(secret), budget, createdAt: now });
  };
  /** Stores one call of `usd` made at `iso` (as a call served before a restart). */
  const spend = (keyName: string, iso: string, usd: number, tags: Record<string, string> = {}) =>
    store.insertCalls([makeCall(0, { ts: at(iso), keyName, tags, costNano: Math.round(usd * USD) })]);
  return {
    store,
    lines,
    service,
    addKey,
    spend,
    setNow: (iso: string) => (now = at(iso)),
    close: () => store.close(),
  };
}

/** Reserves and settles one call of `usd` for key `keyName` with tags; false when refused. */
export function call(svc: BudgetService, keyName: string, usd: number, tags: Record<string, string> = {}) {
  const r = svc.ledger.reserve({ keyName, tags, estimateNano: 1 });
  if (r.ok) svc.ledger.settle(r, Math.round(usd * USD));
  return r.ok;
}

export const stateOf = (svc: BudgetService, name: string, tagValue: string | null = null) => svc.snapshot().find((s) => s.name === name && s.tagValue === tagValue);
