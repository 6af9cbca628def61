import { budgetJson } from '../admin/key-ops.js';
import { nanoToUsd } from '../lib/money.js';
import type { Store } from '../store/facade.js';
import type { BudgetLimitRecord, KeyBudget, KeyEvent } from '../store/types.js';
import { declarationOf, type KeyDeclaration } from './effective.js';

/**
 * `keys history` entries for what the config changed while serve was stopped, written by a
 * starting serve (cli/serve-run.ts), as `keys set` writes its own (admin/key-ops.ts):
 *
 * - actor `config`, action `declare`: the first start that sees `keys.NAME` declare a
 *   budget or tags; details `{declared}` (the declared budget as JSON, USD, and tags).
 * - actor `config`, action `set`: a later start whose declaration differs from the newest
 *   one recorded; details `{changes: {budget?, tags?: {from, to}}, declared}`, the changes
 *   in what serve enforces (the stored key merged with the declaration, keys/effective.ts).
 * - actor `proxy`, action `alerts_rearmed`: a key budget serve ran before (budget_limits,
 *   same period and thresholds) started with a higher limit that puts thresholds the spend had
 *   reached ahead of it again, as budget/key-budget-sync.ts records a raise while serving.
 *
 * Each is written under the key's row lock after re-reading its trail, so replicas starting
 * together on PostgreSQL write one row per change.
 */

/** How many of a key's newest audit entries are looked through for its last recorded declaration. */
export const TRAIL_LOOKBACK = 50;

/** What a declaration sets of the fields recorded here, as JSON. */
type Declared = { budget?: ReturnType<typeof budgetJson>; tags?: Record<string, string> };

function declaredJson(d: KeyDeclaration | undefined): Declared {
  return { ...(d?.budget !== undefined ? { budget: budgetJson(d.budget) } : {}), ...(d?.tags !== undefined ? { tags: { ...d.tags } } : {}) };
}

/** The newest declaration `trail` (oldest first) records, or undefined. */
function lastDeclared(trail: readonly KeyEvent[]): Declared | undefined {
  for (let i = trail.length - 1; i >= 0; i--) {
    const e = trail[i]!;
    if (e.actor === 'config' && (e.action === 'declare' || e.action === 'set') && typeof e.details['declared'] === 'object') return e.details['declared'] as Declared;
  }
  return undefined;
}

/** Records the config's changes of each active stored key's budget and tags since the last start (see the module comment). */
export async function recordConfigChanges(store: Pick<Store, 'keys' | 'history' | 'unitOfWork'>, declared: Readonly<Record<string, KeyDeclaration>>, now: number): Promise<void> {
  for (const key of await store.keys.list({ includeRevoked: false })) {
    const current = declaredJson(declarationOf(declared, key.name));
    await store.unitOfWork(async (tx) => {
      await tx.keys.lock(key.name);
      const stored = await tx.keys.byName(key.name);
      if (stored === undefined || stored.revokedAt !== null) return;
      const before = lastDeclared(await tx.history.list({ keyName: key.name, limit: TRAIL_LOOKBACK }));
      if (before === undefined) {
        if (Object.keys(current).length > 0) await tx.history.append({ ts: now, actor: 'config', action: 'declare', keyName: key.name, details: { declared: current } });
        return;
      }
      if (JSON.stringify(before) === JSON.stringify(current)) return;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const budget = (d: Declared) => (d.budget !== undefined ? d.budget : budgetJson(stored.budget));
      const tags = (d: Declared) => ({ ...stored.tags, ...(d.tags ?? {}) });
      if (JSON.stringify(budget(before)) !== JSON.stringify(budget(current))) changes['budget'] = { from: budget(before), to: budget(current) };
      if (JSON.stringify(tags(before)) !== JSON.stringify(tags(current))) changes['tags'] = { from: tags(before), to: tags(current) };
      const action = Object.keys(changes).length > 0 ? 'set' : 'declare';
      await tx.history.append({ ts: now, actor: 'config', action, keyName: key.name, details: action === 'set' ? { changes, declared: current } : { declared: current } });
    });
  }
}

/** A key budget a restart raised, and the thresholds the raise re-armed. */
export interface RaisedAtStart {
  name: string;
  fromNano: number;
  toNano: number;
  thresholds: number[];
  spentNano: number;
}

/**
 * The key budgets whose limit is higher than the one serve last ran them with (`known`, the
 * budget_limits rows read before this start wrote its own), with the same period and
 * thresholds, and the thresholds the spend (`spentNano`, by key) had reached under the old
 * limit but not under the new one; budgets re-arming none are left out.
 */
export function raisedAtStart(known: readonly BudgetLimitRecord[], budgets: ReadonlyMap<string, KeyBudget>, spentNano: ReadonlyMap<string, number>): RaisedAtStart[] {
  const out: RaisedAtStart[] = [];
  for (const row of known) {
    const now = row.kind === 'key' ? budgets.get(row.budget) : undefined;
    if (now === undefined || now.period !== row.period || now.limitNano <= row.limitNano) continue;
    if (now.alertAt.length !== row.alertAt.length || now.alertAt.some((t, i) => t !== row.alertAt[i])) continue;
    const spent = spentNano.get(row.budget) ?? 0;
    const thresholds = now.alertAt.filter((t) => spent >= t * row.limitNano && spent < t * now.limitNano);
    if (thresholds.length > 0) out.push({ name: row.budget, fromNano: row.limitNano, toNano: now.limitNano, thresholds, spentNano: spent });
  }
  return out;
}

/** Writes an `alerts_rearmed` entry (actor proxy) for each of `raised`, unless the key's trail has one for the same raise since its last other entry. */
export async function recordRearmedAtStart(store: Pick<Store, 'keys' | 'history' | 'unitOfWork'>, raised: readonly RaisedAtStart[], now: number): Promise<void> {
  for (const r of raised) {
    const details = { thresholds: r.thresholds, limit_usd: { from: nanoToUsd(r.fromNano), to: nanoToUsd(r.toNano) }, spent_usd: nanoToUsd(r.spentNano), at: 'start' };
    await store.unitOfWork(async (tx) => {
      await tx.keys.lock(r.name);
      const trail = await tx.history.list({ keyName: r.name, limit: TRAIL_LOOKBACK });
      for (let i = trail.length - 1; i >= 0 && trail[i]!.action === 'alerts_rearmed'; i--) {
        if ((trail[i]!.details['limit_usd'] as { to?: unknown } | undefined)?.to === details.limit_usd.to) return;
      }
      await tx.history.append({ ts: now, actor: 'proxy', action: 'alerts_rearmed', keyName: r.name, details });
    });
  }
}
