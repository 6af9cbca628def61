import { grantLease, meetReset, meetSeed } from '../../src/budget/lease-policy.js';
import { sharedBudgetId, sharedRowKey, type BudgetLeaseStore, type LeaseSyncResult, type SharedRow } from '../../src/store/budget-leases.js';

/**
 * The shared rows of store/budget-leases.ts in memory: `tokometer_lease_sync` applies
 * meetReset, meetSeed and grantLease at once; with `hold` set, its answer is kept back until
 * `answer()` (the statement ran on PostgreSQL, its answer is still on the wire).
 * test/store/pg/lease-reset.test.ts runs the same stories on the real SQL.
 */
export class MemoryLeases implements BudgetLeaseStore {
  readonly rows = new Map<string, { spent: number; resetAt: number; leases: Map<string, number> }>();
  hold = false;
  /** PostgreSQL away: every sync fails as the client does when it cannot connect. */
  down = false;
  private held: Array<() => void> = [];

  async sync(ref: { id: string; periodStart: number }, r: Parameters<BudgetLeaseStore['sync']>[1]): Promise<LeaseSyncResult> {
    if (this.down) throw Object.assign(new Error('write CONNECT_TIMEOUT 127.0.0.1:5432'), { code: 'CONNECT_TIMEOUT' });
    const key = `${ref.id}@${ref.periodStart}`;
    let row = this.rows.get(key);
    if (row === undefined) this.rows.set(key, (row = { spent: r.seedNano, resetAt: r.resetAt ?? 0, leases: new Map() }));
    const others = [...row.leases].filter(([rep]) => rep !== r.replica).reduce((s, [, l]) => s + l, 0);
    const met = meetReset({ spentNano: row.spent, resetAt: row.resetAt }, { resetAt: r.resetAt ?? 0, reportedNano: r.reportedNano });
    const spent = meetSeed(met, { resetAt: r.resetAt ?? 0, seedNano: r.seedNano });
    const g = grantLease({ limitNano: r.limitNano, spentNano: spent, heldNano: row.leases.get(r.replica) ?? 0, othersNano: others }, { ...r, reportedNano: met.reportedNano });
    row.spent = g.spentNano;
    row.resetAt = met.resetAt;
    row.leases.set(r.replica, g.leaseNano);
    const result: LeaseSyncResult = { status: g.status, leaseNano: g.leaseNano, spentNano: g.spentNano, othersNano: others, holders: 1, contended: false, resetAt: met.resetAt };
    if (!this.hold) return result;
    return new Promise((resolve) => this.held.push(() => resolve(result)));
  }
  answer(): void {
    for (const f of this.held.splice(0)) f();
  }
  async reset(kind: string, name: string, tagValue: string | null | undefined, periodStart: number, resetAt: number): Promise<Map<string, number>> {
    const id = sharedBudgetId(kind as 'key', name, tagValue ?? null);
    const row = this.rows.get(`${id}@${periodStart}`);
    if (row === undefined) {
      this.rows.set(`${id}@${periodStart}`, { spent: 0, resetAt, leases: new Map() });
      return new Map([[id, 0]]);
    }
    if (row.resetAt >= resetAt) return new Map();
    const cleared = row.spent;
    Object.assign(row, { spent: 0, resetAt });
    return new Map([[id, cleared]]);
  }
  async leases() {
    return [];
  }
  async latestRepriceChange() {
    return 0;
  }
  async sharedSpent(budgetId: string, periodStart: number) {
    return this.rows.get(`${budgetId}@${periodStart}`)?.spent ?? null;
  }
  async sharedRows(refs: ReadonlyArray<{ budgetId: string; periodStart: number }>) {
    const found = new Map<string, SharedRow>();
    for (const { budgetId, periodStart } of refs) {
      const row = this.rows.get(`${budgetId}@${periodStart}`);
      if (row !== undefined) found.set(sharedRowKey(budgetId, periodStart), { spentNano: row.spent, resetAt: row.resetAt });
    }
    return found;
  }
  async sharedInstances(kind: string, name: string, periodStart: number) {
    const out: Array<SharedRow & { tagValue: string | null }> = [];
    for (const [key, row] of this.rows) {
      const [k, n, tagValue] = JSON.parse(key.slice(0, key.lastIndexOf('@'))) as [string, string, string | null];
      if (k === kind && n === name && key.endsWith(`@${periodStart}`)) out.push({ tagValue, spentNano: row.spent, resetAt: row.resetAt });
    }
    return out;
  }
  async listen() {
    return async () => {};
  }
}
