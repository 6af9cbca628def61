import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagBudget } from '../../src/budget/types.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import type { KeyBudget } from '../../src/store/types.js';
import type { TestStore as Store } from '../support/store.js';
import { record, USD, type CallSpec } from '../report/dataset.js';

/**
 * A seeded database for the TUI tests: three features over four weeks, three tiers, six
 * users, two providers, three keys (two with budgets), a per-user tag budget and two
 * fired alerts. The clock stands at NOW; everything is UTC.
 */

export const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

const FEATURES = [
  { feature: 'summarizer', key: 'summarizer', models: ['gpt-4o', 'claude-sonnet-4'], cost: 42e6 },
  { feature: 'chatbot', key: 'chatbot', models: ['gpt-4o-mini'], cost: 3e6 },
  { feature: 'autocomplete', key: 'ide', models: ['gpt-4o-mini', 'codestral'], cost: 4e5 },
];
const USERS = [
  { user_id: 'u1', user_tier: 'free', tenant_id: 't_acme' },
  { user_id: 'u2', user_tier: 'free', tenant_id: 't_acme' },
  { user_id: 'u3', user_tier: 'pro', tenant_id: 't_beta' },
  { user_id: 'u4', user_tier: 'pro', tenant_id: 't_beta' },
  { user_id: 'u5', user_tier: 'enterprise', tenant_id: 't_corp' },
  { user_id: 'u6', user_tier: 'enterprise', tenant_id: 't_corp' },
];
const PROVIDER: Record<string, string> = { 'claude-sonnet-4': 'anthropic', codestral: 'mistral' };

/** Deterministic calls: every 7 hours for 28 days before NOW, plus two untagged and one unpriced call. */
export function seedCalls(): CallSpec[] {
  const calls: CallSpec[] = [];
  for (let i = 0; i < 96; i++) {
    const f = FEATURES[i % 3]!;
    const u = USERS[(i * 5) % 6]!;
    const model = f.models[i % f.models.length]!;
    calls.push({
      at: NOW - 28 * DAY + i * 7 * 3_600_000,
      model,
      provider: PROVIDER[model] ?? 'openai',
      key: f.key,
      cost: f.cost + (i % 4) * 1e5,
      input: 1000 + i,
      output: 100 + i,
      latency: 200 + (i % 10) * 30,
      tags: { feature: f.feature, ...u },
    });
  }
  calls.push({ at: NOW - 2 * DAY, model: 'gpt-4o-mini', key: 'chatbot', cost: 5e5, latency: 90 });
  calls.push({ at: NOW - 3 * DAY, model: 'gpt-4o-mini', key: null, cost: 2e5, latency: 80 });
  calls.push({ at: NOW - DAY, model: 'mystery-model', key: 'chatbot', cost: null, latency: 150, tags: { feature: 'chatbot', user_id: 'u7', user_tier: 'free' } });
  return calls;
}

export const KEY_BUDGETS: Record<string, KeyBudget> = {
  summarizer: { limitNano: 1 * USD, period: 'month', alertAt: [0.5, 0.8, 1], soft: false },
  chatbot: { limitNano: 5 * USD, period: 'month', alertAt: [0.5, 0.8, 1], soft: false },
};

export const TAG_BUDGETS: TagBudget[] = [
  { name: 'free-daily', match: { user_tier: 'free' }, per: 'user_id', limitNano: 0.01 * USD, period: 'day', alertAt: [0.5, 1], soft: false },
  { name: 'pro-monthly', match: { user_tier: 'pro' }, limitNano: 2 * USD, period: 'month', alertAt: [0.8], soft: true },
];

export interface SeededDb {
  dir: string;
  path: string;
  /** A read-write store on the file (the "serve" side). */
  store: Store;
  close(): void;
}

/** Creates the database file, migrated, with the calls, keys and two alerts. */
export function seedDb(calls: readonly CallSpec[] = seedCalls()): SeededDb {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-tui-'));
  const file = path.join(dir, 'tokometer.db');
  const store = createStore(openDriver(file));
  store.insertCalls(calls.map(record));
  let n = 0;
  // Rows as `keys create` writes them, inserted directly so seeding stays synchronous.
  const key = store.driver.prepare('INSERT INTO keys (name, prefix, hash, budget, created_at) VALUES (?, ?, ?, ?, ?)');
  for (const name of ['summarizer', 'chatbot', 'ide']) {
    const budget = KEY_BUDGETS[name];
    key.run(name, `mk_${name.slice(0, 4)}`, `hash-${n++}`, budget ? JSON.stringify(budget) : null, NOW - 40 * DAY);
  }
  const alert = store.driver.prepare(
    `INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, spent_nano, limit_nano, fired_at)
     VALUES (?, ?, ?, ?, 'month', ?, ?, ?, ?)`,
  );
  const nov = Date.parse('2026-11-01T00:00:00Z');
  alert.run('key', 'summarizer', null, 0.5, nov, 0.5 * USD, 1 * USD, NOW - 5 * DAY);
  alert.run('key', 'summarizer', null, 0.8, nov, 0.8 * USD, 1 * USD, NOW - 2 * DAY);
  return { dir, path: file, store, close: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** A read-only store on the seeded file, as `tokometer tui` opens one for the budget gauges. */
export function readStore(file: string): Store {
  return createStore(openDriver(file, { readonly: true }), { readonly: true });
}
