import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { KeyResolver, syncConfigKeys, type ResolvedKey } from '../../src/proxy/auth.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore, type TestStore } from '../support/store.js';
import { waitFor } from '../support/proxy-harness.js';

describe('KeyResolver', () => {
  let dir: string;
  let mine: TestStore;
  let other: TestStore;
  let resolver: KeyResolver | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-auth-'));
    mine = testStore(openDriver(path.join(dir, 'k.db')));
    other = testStore(openDriver(path.join(dir, 'k.db')));
  });
  afterEach(async () => {
    await resolver?.close();
    resolver = undefined;
    await mine.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const addKey = async (store: TestStore, name: string) => {
    const secret = newMeteringKey();
    await store.keys.create({ name, prefix: keyPrefix(secret), hash: hashSecret(secret), tags: { team: 'stored' }, createdAt: 1 });
    return secret;
  };

  it('resolves from its in-memory table, merged with the config declarations, never waiting on the store', async () => {
    const secret = await addKey(mine, 'app');
    resolver = new KeyResolver(mine, { app: { tags: { tier: 'pro' }, models: ['gpt-4o-mini'] } });
    expect(resolver.resolve(secret)).toBeNull(); // nothing loaded yet
    await resolver.reload();
    expect(resolver.resolve(secret)).toEqual({ name: 'app', tags: { team: 'stored', tier: 'pro' }, providers: [], models: ['gpt-4o-mini'], budget: null });
    expect(resolver.resolve('mk_' + 'x'.repeat(32))).toBeNull();
    expect(resolver.resolve('not-a-key')).toBeNull();
    // The lookup is synchronous and in memory: a store that can no longer answer changes nothing.
    const broken = new KeyResolver({ keys: mine.keys, meta: { ...mine.meta, changeToken: () => Promise.reject(new Error('gone')) } }, {});
    await expect(broken.reload()).rejects.toThrow('gone');
    expect(resolver.resolve(secret)?.name).toBe('app');
  });

  it('reload resolves once the new table is in and every listener has applied it, in the order asked', async () => {
    const a = await addKey(mine, 'a');
    resolver = new KeyResolver(mine, {});
    const seen: string[][] = [];
    resolver.onReload(async (keys: readonly ResolvedKey[]) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(keys.map((k) => k.name));
    });
    await resolver.reload();
    const b = await addKey(mine, 'b');
    // Two reloads asked at once run one after the other; each resolves after its listeners.
    const first = resolver.reload();
    const second = resolver.reload();
    await first;
    expect(resolver.resolve(b)?.name).toBe('b');
    expect(seen).toEqual([['a'], ['a', 'b']]);
    await second;
    expect(seen).toEqual([['a'], ['a', 'b'], ['a', 'b']]);
    await mine.keys.revoke('a', 2);
    await resolver.reload();
    expect(resolver.resolve(a)).toBeNull();
    expect(seen.at(-1)).toEqual(['b']);
  });

  it('notices another connection\'s change through the change token and applies it within a few polls', async () => {
    const secret = await addKey(mine, 'app');
    resolver = new KeyResolver(mine, {});
    await resolver.reload();
    const interval = 20;
    resolver.watch(interval);
    await other.keys.revoke('app', 5);
    // Not on the caller's stack: the very next lookup may still see the old table.
    const started = Date.now();
    await waitFor(() => resolver!.resolve(secret) === null, 2000, 'the revocation');
    expect(Date.now() - started).toBeLessThan(1000);
    const later = await addKey(other, 'later');
    await waitFor(() => resolver!.resolve(later) !== null, 2000, 'the new key');
  });
});

describe('syncConfigKeys', () => {
  it('creates each YAML key whose secret is in the environment, audited as config, and warns about the others and about the declared key not in the store (plain)', async () => {
    const store = testStore(openDriver(':memory:'));
    const secret = newMeteringKey();
    const taken = newMeteringKey();
    await store.keys.create({ name: 'taken', prefix: keyPrefix(taken), hash: hashSecret(taken), createdAt: 1 });
    const keys = {
      env: { secretEnv: 'APP_KEY', budget: { limitNano: 2e9, period: 'day' as const, alertAt: [1], soft: false } },
      missing: { secretEnv: 'NOT_SET' },
      taken: { secretEnv: 'OTHER_KEY' },
      plain: {},
    };
    const warnings = await syncConfigKeys(store, keys, { APP_KEY: secret, OTHER_KEY: newMeteringKey() }, 100);
    expect(warnings).toEqual([
      "key 'missing': environment variable NOT_SET is unset or not a metering key (mk_ + 32 characters)",
      "key 'taken' already exists with another secret; revoke it first to use OTHER_KEY",
      "keys declared in the config but not in the database: 'plain'; each declaration applies once its key is created (`tokometer keys create NAME`), without a restart",
    ]);
    expect(await store.keys.byHash(hashSecret(secret))).toMatchObject({ name: 'env', budget: { limitNano: 2e9, period: 'day', alertAt: [1], soft: false }, createdAt: 100 });
    expect((await store.history.list()).map((e) => [e.actor, e.action, e.keyName, e.details])).toEqual([['config', 'create', 'env', { prefix: keyPrefix(secret), secret_env: 'APP_KEY' }]]);
    expect(await syncConfigKeys(store, keys, { APP_KEY: secret, OTHER_KEY: taken }, 200)).toEqual([
      "key 'missing': environment variable NOT_SET is unset or not a metering key (mk_ + 32 characters)",
      "keys declared in the config but not in the database: 'plain'; each declaration applies once its key is created (`tokometer keys create NAME`), without a restart",
    ]);
    expect(await store.history.list()).toHaveLength(1);
    await store.close();
  });

  // The operator revoked `app` and rotated APP_KEY to a new secret. Its stored key is revoked,
  // so "revoke it first" was a dead end repeated at every start: a revoked key keeps its name
  // and cannot be restored, so the way out is the declaration under a new name (serve creates
  // that key from APP_KEY) or no declaration. The same advice whether APP_KEY holds the
  // revoked secret or a new one; nothing is created or audited either way.
  it('a declared secret_env key whose stored key is revoked is told to move its declaration to a new name, whatever the secret in its variable', async () => {
    const store = testStore(openDriver(':memory:'));
    const old = newMeteringKey();
    await store.keys.create({ name: 'app', prefix: keyPrefix(old), hash: hashSecret(old), createdAt: 1 });
    await store.keys.revoke('app', 2);
    const advice =
      "key 'app' is revoked; the secret in APP_KEY gets 401. A revoked key cannot be restored and keeps its name: " +
      'move the declaration (secret_env: APP_KEY) to keys.NEW_NAME, which serve creates with that secret at its next start, or remove it';
    const keys = { app: { secretEnv: 'APP_KEY' } };
    const rotated = newMeteringKey();
    expect(await syncConfigKeys(store, keys, { APP_KEY: rotated }, 100)).toEqual([advice]);
    expect(await syncConfigKeys(store, keys, { APP_KEY: old }, 200)).toEqual([advice]);
    expect(await store.keys.byName('app')).toMatchObject({ hash: hashSecret(old), revokedAt: 2 });
    expect(await store.keys.byHash(hashSecret(rotated))).toBeUndefined();
    expect(await store.history.list()).toEqual([]);
    await store.close();
  });
});
