import { describe, expect, it } from 'vitest';
import { hashSecret, newMeteringKey } from '../../../src/lib/ids.js';
import { syncConfigKeys } from '../../../src/proxy/auth.js';
import { openPostgresStore, type PostgresStore } from '../../../src/store/pg/pg-store.js';
import type { Store } from '../../../src/store/facade.js';
import { pgDatabases } from '../../support/pg-databases.js';

/**
 * Replicas of one deployment start together on one PostgreSQL with the same config: a key
 * declared with `secret_env` is created by whichever replica gets there first; the others
 * find it (same secret) and start too. Here both replicas look the key up before either
 * creates it (the timing of replicas started at the same moment).
 */

const pg = pgDatabases();

/** `store` whose key lookup by name waits, once read, until `both` have read (or 500 ms). */
function lookingTogether(store: Store, read: () => void, both: Promise<void>): Pick<Store, 'keys' | 'unitOfWork'> {
  return {
    unitOfWork: (fn) => store.unitOfWork(fn),
    keys: {
      ...store.keys,
      async byName(name: string) {
        const key = await store.keys.byName(name);
        read();
        await Promise.race([both, new Promise((r) => setTimeout(r, 500))]);
        return key;
      },
    },
  };
}

describe('config keys provisioned by replicas starting together (PostgreSQL)', () => {
  it('both replicas start: the key is created once, the other replica finds it', async () => {
    const url = await pg.url('config_keys');
    const stores: PostgresStore[] = [await openPostgresStore(url, 'create'), await openPostgresStore(url, 'create')];
    try {
      const secret = newMeteringKey();
      const keys = { app: { secretEnv: 'APP_KEY' } };
      let reads = 0;
      let bothRead!: () => void;
      const both = new Promise<void>((r) => (bothRead = r));
      const read = () => {
        if (++reads === 2) bothRead();
      };
      const started = await Promise.allSettled(stores.map((s, i) => syncConfigKeys(lookingTogether(s, read, both), keys, { APP_KEY: secret }, 100 + i)));
      expect(started).toEqual([
        { status: 'fulfilled', value: [] },
        { status: 'fulfilled', value: [] },
      ]);
      expect(await stores[0]!.keys.byHash(hashSecret(secret))).toMatchObject({ name: 'app', revokedAt: null });
      expect((await stores[0]!.history.list()).filter((e) => e.action === 'create')).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
