import { describe, expect, it } from 'vitest';
import { keyDeclarations } from '../../src/config/keys.js';
import { declarationOf, effectiveKey, effectiveKeys } from '../../src/keys/effective.js';
import type { KeyBudget, KeyRecord } from '../../src/store/types.js';

const budget = (limitNano: number, period: KeyBudget['period'] = 'month'): KeyBudget => ({ limitNano, period, alertAt: [0.5, 1], soft: false });

const stored = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: 1,
  name: 'app',
  prefix: 'mk_Ab12',
  hash: 'h',
  tags: { team: 'search', env: 'prod' },
  providers: ['openai'],
  models: ['gpt-4o'],
  budget: budget(5),
  createdAt: 1,
  revokedAt: null,
  ...over,
});

describe('the effective key: stored key merged with its config declaration', () => {
  it('is the stored key when the config does not declare it', () => {
    expect(effectiveKey(stored(), undefined)).toEqual({ name: 'app', tags: { team: 'search', env: 'prod' }, providers: ['openai'], models: ['gpt-4o'], budget: budget(5) });
  });

  it('takes each declared field over the stored one; tags merge, the config winning per tag', () => {
    const key = effectiveKey(stored(), { tags: { env: 'staging', tier: 'pro' }, models: [], budget: budget(1, 'day') });
    expect(key).toEqual({ name: 'app', tags: { team: 'search', env: 'staging', tier: 'pro' }, providers: ['openai'], models: [], budget: budget(1, 'day') });
    expect(effectiveKey(stored({ budget: null }), { providers: ['anthropic'] })).toMatchObject({ providers: ['anthropic'], budget: null });
  });

  it('lists only active keys, and never reads inherited names as declarations', () => {
    const keys = [stored(), stored({ id: 2, name: 'gone', revokedAt: 5 }), stored({ id: 3, name: 'constructor', budget: null })];
    const declared = { app: { budget: budget(2) } };
    expect(effectiveKeys(keys, declared).map((k) => [k.name, k.budget?.limitNano ?? null])).toEqual([['app', 2], ['constructor', null]]);
    expect(declarationOf(declared, 'constructor')).toBeUndefined();
    expect(declarationOf(declared, 'toString')).toBeUndefined();
  });

  it('converts the YAML `keys:` section to declarations in stored units', () => {
    const declared = keyDeclarations({
      app: { budget: { limit_usd: 1.5, period: 'week', alert_at: [0.8], soft: true }, tags: { tier: 'pro' } },
      bare: { secret_env: 'BARE_KEY' },
    });
    expect(declared).toEqual({ app: { budget: { limitNano: 1_500_000_000, period: 'week', alertAt: [0.8], soft: true }, tags: { tier: 'pro' } }, bare: { secretEnv: 'BARE_KEY' } });
    expect(effectiveKey(stored({ name: 'bare' }), declared.bare)).toEqual(effectiveKey(stored({ name: 'bare' }), undefined));
  });
});
