import { describe, expect, it } from 'vitest';
import { createKeyAudited, updateKeyAudited } from '../../../src/admin/key-ops.js';
import { openPostgresStore, type PostgresStore } from '../../../src/store/pg/pg-store.js';
import type { Store } from '../../../src/store/facade.js';
import type { KeyRecord } from '../../../src/store/types.js';
import { pgDatabases } from '../../support/pg-databases.js';

/**
 * Two replicas on one PostgreSQL change different budget fields of one key at once (the
 * admin API behind a load balancer, `keys set` from two machines). updateKeyAudited merges
 * each change with the key as stored inside its transaction, which on SQLite is an
 * IMMEDIATE (write-locked) one; on PostgreSQL the key must be read under its row lock too,
 * or the change that commits last writes back the budget it read before the other's commit.
 */

const pg = pgDatabases();

/** `store` whose unit of work waits, once it has read the key, until `both` have read it (or 500 ms). */
function readingTogether(store: Store, read: () => void, both: Promise<void>): Pick<Store, 'unitOfWork'> {
  return {
    unitOfWork: (fn) =>
      store.unitOfWork((tx) =>
        fn({
          ...tx,
          keys: {
            ...tx.keys,
            async byName(name: string) {
              const key = await tx.keys.byName(name);
              read();
              await Promise.race([both, new Promise((r) => setTimeout(r, 500))]);
              return key;
            },
          },
        }),
      ),
  };
}

describe('a key changed through two replicas at once (PostgreSQL)', () => {
  it('two changes of different budget fields both apply (no lost update)', async () => {
    const url = await pg.url('key_race');
    const stores: PostgresStore[] = [await openPostgresStore(url, 'create'), await openPostgresStore(url, 'create')];
    try {
      const [one, two] = stores as [PostgresStore, PostgresStore];
      await createKeyAudited(one, { name: 'acme', budget: { limitNano: 5e9, period: 'month', alertAt: [], soft: false } }, 'cli', 1);
      let reads = 0;
      let bothRead!: () => void;
      const both = new Promise<void>((r) => (bothRead = r));
      const read = () => {
        if (++reads === 2) bothRead();
      };
      const raise = (k: KeyRecord) => ({ budget: { ...k.budget!, limitNano: 10e9 } });
      const daily = (k: KeyRecord) => ({ budget: { ...k.budget!, period: 'day' as const } });
      await Promise.all([
        updateKeyAudited(readingTogether(one, read, both), 'acme', raise, 'admin', 2),
        updateKeyAudited(readingTogether(two, read, both), 'acme', daily, 'admin', 3),
      ]);
      expect((await one.keys.byName('acme'))?.budget).toMatchObject({ limitNano: 10e9, period: 'day' });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
