import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostJson } from '../../src/budget/alerts.js';
import type { Store } from '../../src/store/facade.js';
import type { AlertRecord } from '../../src/store/types.js';
import { USD, keyBudget } from './helpers.js';
import { at, call, world } from './service-world.js';

/**
 * Outage rule of the alert claim (docs/reliability.md): the webhook goes to the replica
 * whose write stored the alert row; when the store does not answer whether it did (it
 * refuses, or gives no answer within the claim's wait), the webhook is sent anyway and the
 * log says it may be a duplicate: a page twice beats no page.
 */

/** `store` whose recordAlert answers with `answer()` instead (a rejection: the store refuses). */
function storeAnswering(store: Store, answer: (a: AlertRecord) => Promise<boolean>): Store {
  const budgets = Object.create(store.budgets) as Store['budgets'];
  budgets.recordAlert = answer;
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'budgets', { value: budgets });
  return wrapped;
}

function webhook() {
  const posted: Array<Record<string, unknown>> = [];
  const post: PostJson = async (_url, body) => {
    posted.push(JSON.parse(body) as Record<string, unknown>);
    return 200;
  };
  return { posted, alerts: { webhookUrl: 'https://hooks.example.invalid/tokometer', post, sleep: async () => {} } };
}

const ID = `key:k:0.5:${at('2026-11-01T00:00:00Z')}:${USD}`;

describe('an alert whose claim the store does not answer', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });
  afterEach(() => w.close());

  it('is POSTed when the store refuses the write, and the log says it may be duplicated', async () => {
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    const hook = webhook();
    const down = storeAnswering(w.store, () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    const svc = await w.service([], down, { alerts: hook.alerts, alertStoreRetryMs: 60_000 });
    // $0.60 of $1 crosses 50 %.
    expect(call(svc, 'k', 0.6)).toBe(true);
    await svc.idle();
    expect(hook.posted.map((p) => p['id'])).toEqual([ID]);
    expect(w.lines.filter((l) => l.includes('may be duplicated') && l.includes(ID) && l.includes('ECONNREFUSED'))).toHaveLength(1);
    await svc.close();
  });

  it('is POSTed after the claim\'s wait when the store gives no answer, and the log says it may be duplicated', async () => {
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    const hook = webhook();
    const hung = storeAnswering(w.store, () => new Promise<boolean>(() => {}));
    const svc = await w.service([], hung, { alerts: hook.alerts });
    const crossed = Date.now();
    expect(call(svc, 'k', 0.6)).toBe(true);
    await svc.idle();
    expect(hook.posted.map((p) => p['id'])).toEqual([ID]);
    expect(w.lines.filter((l) => l.includes('may be duplicated') && l.includes(ID))).toHaveLength(1);
    // The default wait is 3 s: sent once it is over, not before.
    expect(Date.now() - crossed).toBeGreaterThanOrEqual(2_900);
  }, 15_000);

  it('is not POSTed when the store answers that the row was there already (another replica stored it first)', async () => {
    await w.addKey('k', keyBudget(1, { alertAt: [0.5] }));
    const hook = webhook();
    const taken = storeAnswering(w.store, async () => false);
    const svc = await w.service([], taken, { alerts: hook.alerts });
    expect(call(svc, 'k', 0.6)).toBe(true);
    await svc.idle();
    expect(hook.posted).toEqual([]);
    expect(w.lines.filter((l) => l.includes('passed 50% of its limit (now 60%'))).toHaveLength(1);
    await svc.close();
  });
});
