import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import { budgetLeaseStore, sharedBudgetId } from '../../src/store/budget-leases.js';
import { pgDatabases } from '../support/pg-databases.js';
import { waitFor } from '../support/proxy-harness.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

const pg = pgDatabases();
const TOKEN = 'shared-view-admin-token';
const MONTH = (at: number) => Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), 1);

/** `GET /admin/budgets?name=k` on `p`: the key budget's JSON. */
async function budgetK(p: RunningProxy): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(`${p.url}/admin/budgets?name=k`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { budgets: Array<Record<string, unknown>> }).budgets[0];
}

/**
 * A review: two replicas on one PostgreSQL; calls through B spend key k's $0.001 budget.
 * Replica A enforces it (a call through A gets 429), but its GET /admin/budgets said
 * spent 0, remaining $0.001, blocked false for many seconds (14 s seen): the view showed
 * A's own counter, which learns the shared spend only when A syncs the budget. With shared
 * budgets the view reads the shared row (budget_shares) at request time.
 */
describe('GET /admin/budgets on a replica that did not make the calls (PostgreSQL)', () => {
  const suite = proxySuite();

  it('reports the shared spend every replica enforces: the same figures on both replicas', async () => {
    const url = await pg.url('admin_shared_view');
    const yaml = `admin: { token: "${TOKEN}" }\n`;
    const a = await suite.startOnPostgres(url, yaml);
    const b = await suite.startOnPostgres(url, yaml);
    const secret = await addKey(b, 'k', { budget: keyBudget(0.001) });
    // A reloads the keys on the change notice (or its 250 ms poll).
    await waitFor(() => a.budgets!.snapshot().some((s) => s.name === 'k'), 5000, 'replica A to know key k');
    expect(await budgetK(a)).toMatchObject({ spent_usd: 0, blocked: false });

    let status = 200;
    for (let i = 0; i < 200 && status === 200; i++) status = (await chat(`${b.url}/proxy/openai`, secret, { maxTokens: 100, content: `q${i}` })).status;
    expect(status).toBe(429);
    // B writes back what it settled and did not report yet at its next heartbeat (every second).
    await new Promise((r) => setTimeout(r, 1500));
    const row = await budgetLeaseStore(pg.pool(url)).sharedSpent(sharedBudgetId('key', 'k', null), MONTH(Date.now()));
    expect(row).toBeGreaterThanOrEqual(1_000_000);

    const onA = await budgetK(a);
    const onB = await budgetK(b);
    const figures = (s: Record<string, unknown> | undefined) => ({ spent_usd: s?.spent_usd, remaining_usd: s?.remaining_usd, blocked: s?.blocked });
    expect({ a: figures(onA), b: figures(onB) }).toEqual({
      a: { spent_usd: row! / 1e9, remaining_usd: 0, blocked: true },
      b: { spent_usd: row! / 1e9, remaining_usd: 0, blocked: true },
    });
    // A enforces the same figure: a call through it is refused.
    expect((await chat(`${a.url}/proxy/openai`, secret, { maxTokens: 100, content: 'through a' })).status).toBe(429);
  }, 60_000);
});
