import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { describeDbLocation, isPostgresUrl } from '../lib/db-location.js';
import { createPricer, type Pricer } from '../pricing/pricer.js';
import { catalogPricesByProvider } from '../config/catalog-prices.js';
import type { Store } from '../store/facade.js';
import { PUBLISHED_DATA_URL, newestSnapshot } from './catalog-source.js';
import { dbToReadFor, openStoreFor, type CliContext } from './context.js';

/**
 * The prices a command applies: the config's `prices:`, tokometer's overrides, the newest
 * catalog snapshot stored in the database and the pinned catalog, and which origin a
 * command fetches new catalog data from (catalog-source.ts reads it).
 */

/**
 * A pricer for a read-only command: config prices plus the newest stored snapshot when the
 * database exists (a missing database is not created, and a PostgreSQL database tokometer
 * never wrote to is not migrated: the pinned catalog applies). A SQLite file named by
 * `--db` or $TOKOMETER_DB that does not exist is refused as report refuses it
 * (dbToReadFor: DatabaseNotFoundError, exit 2 "no database at …"): a typo would
 * otherwise show the pinned catalog as that database's prices. The config's `db` and
 * ./tokometer.db may be missing: before serve's first run there is no snapshot, so the
 * pinned catalog is right.
 */
export async function pricerFor(ctx: Pick<CliContext, 'edges' | 'env' | 'cwd' | 'err'>, config: Config, dbFlag: string | undefined): Promise<Pricer> {
  const { path: dbPath, namedBy } = dbToReadFor(ctx, config, dbFlag);
  const postgres = isPostgresUrl(dbPath);
  if (dbPath === ':memory:' || (!postgres && !existsSync(dbPath))) return createPricer(config.prices, { catalogPrices: catalogPricesByProvider(config.providers) });
  let store: Store;
  try {
    store = await openStoreFor(ctx, dbPath, 'read', namedBy);
  } catch (error) {
    if (postgres && (error as Error).name === 'PostgresNotInitialisedError') return createPricer(config.prices, { catalogPrices: catalogPricesByProvider(config.providers) });
    throw error;
  }
  try {
    return createPricer(config.prices, { snapshot: await newestSnapshot(store.prices), catalogPrices: catalogPricesByProvider(config.providers) });
  } catch (error) {
    ctx.err(`tokometer: the newest price snapshot in ${describeDbLocation(dbPath)} cannot be used (${(error as Error).message}); using the pinned catalog\n`);
    return createPricer(config.prices, { catalogPrices: catalogPricesByProvider(config.providers) });
  } finally {
    await store.close();
  }
}

/** Where catalog data comes from: `--from`, else config `prices.source`, else the published URL. */
export function catalogOrigin(from: string | undefined, config: Config): string {
  return from ?? config.price_updates.source ?? PUBLISHED_DATA_URL;
}
