import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { LATEST_VERSION, MIGRATIONS, migrate, type Migration } from '../../src/store/migrations/index.js';
import { PG_LATEST_VERSION, PG_MIGRATIONS, migratePostgres } from '../../src/store/pg/migrations/index.js';
import type { SqlDriver } from '../../src/store/types.js';
import { pgDatabases } from '../support/pg-databases.js';

/**
 * Migrations are history: a released migration's SQL never changes (migrations/types.ts),
 * and every path through the runner ends at the same schema. The fingerprints are the
 * SHA-256 of each released migration's `up` text, so a refactor of how that text is
 * written (shared constants, a later migration derived from an earlier one) must leave
 * it byte for byte as released. Append a migration's fingerprint when it is released.
 */
const RELEASED: Record<'sqlite' | 'postgres', readonly (readonly [name: string, sha256: string])[]> = {
  sqlite: [
    ['initial', 'd12257c43d56e2018b1cf55824c27535b1112f4b3c2380ac270a9c0e74c399e7'],
    ['budgets', 'c6b334e0871e038daae6973e9585f437e300e8421e78e3b129e674a85da8148c'],
    ['rollups', '36bc6c238be0dc21e461f4eddd301c62d4a72e68b22a5953f33b3014798467dd'],
    ['entity-retention', 'ad89177d34ee829db10db58ed12d3d03c350af3c333602a37b89ac3361b9a918'],
    ['reconcile-runs', '0bd7c4c1518501b860c697ebba322c2d1dd1793ac4cdfc161f7f5efa0c7b515e'],
    ['outcome-rollups', '7e3d15d41b839723f9fba9bf278d096b3ed640ae73532552eacc9fb6e377efc0'],
    ['writer-marks', '503a9177a645532d81dcbf74b17893b23d0962012ab2e70197e15384ab2859f8'],
    ['prices', '7fa9308b961d887a2ecad01f7e997633b82f7010b2bca3ec3fc4660f2e5870bc'],
    ['entity-tag-rows', '58b82cbc8d3cb4c282498a5363d0d471b2a647a2b9d508d73596057967c278ce'],
    ['entity-minute-indexes', 'e59d94d79998c46bd47f7a6d646925396f52afda61001f27e69a4ac8b1382735'],
    ['keys-change-counter', 'd20ad82c0febb6257175e231a0b4f93c3588416e69ef2d36962eafa5abe80b57'],
    ['tag-postings', '36381e32cef6898673e487eff10d77d6d27985bb096b564196a5bbbc19699aab'],
    ['entity-pending', '316ae946e70e01797531cd22cdcf79684d4122315e357ddae8b1c2f488707049'],
    ['billed-extras', 'c049666291b33550450e9e0922421d9dd1830784a456623cd05f975215c005d2'],
    ['file-searches', '73b7d3ea42683c29232317ce4154fb0bb83e711a38ca11b2fd3199de8c46290e'],
    ['budget-limits', 'e72d02ebe65b88bf82bab47513e78c03c82e7ea5dd3425303836df2420e47d4e'],
    ['price-modifiers', '9c1423d827150e20270394461d8611e6b4488f0a99059ac14bf15761b8cf9cbd'],
    ['budget-reprices-seen', '4b9c0285cb1df91aad591e9d81d9b93e14caea063e600ce343358cdc07bcb82c'],
    ['advisor-usage', '1703c37c795021b58081ee6503561ee37524895eed8d4e341613389715d9396c'],
    ['alert-key', '7635918525f86bdf282c116bf5790b6229a7b73138c4a2b258e20693097fa8b7'],
    ['audio-seconds', '5da6a61cc5614332858ebec2e63391fe5eb7ffbd4835bc9229b067a73cdad93d'],
    ['input-image-tokens', '7ceea0362655f22302cc713b7e458c2e196f6263f98c0b71435f9f9bd32dc4e9'],
    ['document-pages', '8a57df234339a8da72cf6ef398a27d132669e47cb91ef5ac8fd8efd20e7caf12'],
    ['reprice-priced-calls', '7cccd03cc82e106d58a961053bb839804a0abe0aed5d14a5e5551238a8725147'],
    ['compaction-usage', '032608a47726d8fdc6a1b3f8b6eb4a3848c8c37e49415f6e2fd153e282dab5c1'],
    ['web-search-preview', 'cb25fad5857db584f676af87fbed21b0e6ae2cb40403716ec82bafa9edfd6461'],
  ],
  postgres: [
    ['initial', '1d38c803a669d6a8cb4c627473d70e108eb34fcff9d1458ddfcebd026cd25278'],
    ['prices', '8029abdff834fbed8e578e4f62040d85d14a7c44858611f2c3f6b50084a55c12'],
    ['budget_leases', '6c676fc999ee511f9fd7e623060b36cb6b0a256d38ecb6f46187003a7329522f'],
    ['share_reprices', '983a049ec60ad5c29e9ef03432f7b8018218140d51a70b8f585143a50ae8937e'],
    ['tags-in-calls', '18e7b483dffa96a45d034a3cc9d9fa58e5b931132ec8f7571e07ec131d3e4e65'],
    ['entity-minute-indexes', 'f3f83ecb840fd7b847af68573637c7cbea0c6510fdd79c1ce6b59ff4056f700e'],
    ['billed-extras', '6b85940a0e31120839acc34d2fd68d1cd92dea3c830823cfa9485f249b7c2747'],
    ['file-searches', '3bfc4baca10db60b6e9d9a5799970df1e6f35d6595edec0d3a82600018c93b27'],
    ['share-resets', '79573481ba826aa967c8cb845f65ba37e8c26447dc5af09600f458fec1b2c87d'],
    ['budget-limits', 'ec4d072e31e1194db8d55bd56159da7b0b7ded601dff0b7d762750bdf0752fbb'],
    ['share-seed-lift', '16766725e0451875bc9f19379cd51795943c44a7d11b8e5ff22ce97e0aa9373d'],
    ['price-modifiers', 'd28869eae38abf49cbc922d3889d7451c1283f3958fde690497f78f81e973a95'],
    ['budget-reprices-seen', '2756d24b0607d79f12d0b524ff64419708519ad64d05da035f50324ca1b772fb'],
    ['advisor-usage', '1703c37c795021b58081ee6503561ee37524895eed8d4e341613389715d9396c'],
    ['alert-key', '56b75ef8b232da878fd15a334cd1af3782be95f87af63fa606c1618b31eeeafd'],
    ['audio-seconds', '8020d48742d9c5e959d83ed38060b7f754d1237ce471686bbbc118e2d2c70559'],
    ['input-image-tokens', 'e4cc8e17cd11e941351e93f186f0b2f57ba44b7d2a7b4f85d89980a4aded2a12'],
    ['document-pages', '5617f197d8c22c545ea72d62840c65951c91dde429a89849ae068ffb490f8001'],
    ['reprice-priced-calls', '2ac004ca0624f205c74850f793b9024fc1359add290e11dbc6f52323eb620735'],
    ['compaction-usage', '032608a47726d8fdc6a1b3f8b6eb4a3848c8c37e49415f6e2fd153e282dab5c1'],
    ['web-search-preview', '2c79a2b5d8473daed605e1383fbca52e8491b4b236b0f5caba744ae31180499e'],
  ],
};

const fingerprint = (m: Migration) => [m.name, createHash('sha256').update(m.up).digest('hex')];

/** 1 … latest − 1: the versions an older build may have left a database at. */
const olderVersions = (latest: number) => Array.from({ length: latest - 1 }, (_, i) => i + 1);

describe('released migrations', () => {
  it.each([
    ['sqlite', MIGRATIONS],
    ['postgres', PG_MIGRATIONS],
  ] as const)('%s: each released migration keeps the text it was released with', (dialect, migrations) => {
    const released = RELEASED[dialect];
    expect(migrations.length).toBeGreaterThanOrEqual(released.length);
    expect(migrations.slice(0, released.length).map(fingerprint)).toEqual(released);
  });
});

describe('SQLite: an upgraded database has the schema of a fresh one', () => {
  const drivers: SqlDriver[] = [];
  afterEach(() => {
    while (drivers.length > 0) drivers.pop()!.close();
  });
  /** An in-memory database migrated through `steps` (each a prefix of MIGRATIONS), in turn. */
  const migrated = (...steps: number[]) => {
    const driver = openDriver(':memory:');
    drivers.push(driver);
    for (const n of steps) migrate(driver, MIGRATIONS.slice(0, n));
    return driver;
  };
  const schema = (d: SqlDriver) => d.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();

  it.each(olderVersions(LATEST_VERSION))('from v%i', (version) => {
    const fresh = schema(migrated(LATEST_VERSION));
    expect(fresh.length).toBeGreaterThan(20);
    expect(schema(migrated(version, LATEST_VERSION))).toEqual(fresh);
  });
});

describe('PostgreSQL: an upgraded database has the schema of a fresh one', () => {
  const pg = pgDatabases();
  const MAY_2026 = Date.UTC(2026, 4, 1);

  /** Tables, columns, indexes, constraints, functions, triggers and the rows migrations seed. */
  const catalog = async (db: Db) => {
    const q = (sql: string) => db.all(sql);
    return {
      columns: await q(`SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default, is_identity, identity_generation, identity_increment
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`),
      classes: await q("SELECT relname, relkind, reloptions FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1"),
      indexes: await q("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"),
      constraints: await q("SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"),
      sequences: await q("SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1"),
      functions: await q("SELECT proname, pg_get_functiondef(oid) AS def FROM pg_proc WHERE proname LIKE 'tokometer_%' ORDER BY 1, 2"),
      triggers: await q('SELECT tgname, tgrelid::regclass::text AS t, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1'),
      seeded: [await q('SELECT * FROM latency_buckets ORDER BY bucket'), await q('SELECT * FROM rollup_state ORDER BY name'), await q('SELECT * FROM tokometer_changes')],
    };
  };
  /** A new database migrated to `version`, holding the May 2026 partition an older build made. */
  const atVersion = async (version: number) => {
    const db = pg.pool(await pg.url(`history_v${version}`));
    await migratePostgres(db, PG_MIGRATIONS.slice(0, version));
    await db.get('SELECT tokometer_ensure_month(?) AS made', [MAY_2026]);
    return db;
  };

  it.each(olderVersions(PG_LATEST_VERSION))('from v%i (with a partition made at that version)', async (version) => {
    const fresh = await catalog(await atVersion(PG_LATEST_VERSION));
    expect(fresh.functions.map((f) => f.proname)).toContain('tokometer_lease_sync');
    const old = await atVersion(version);
    expect(await migratePostgres(old, PG_MIGRATIONS)).toBe(PG_LATEST_VERSION);
    expect(await catalog(old)).toEqual(fresh);
  });
});
