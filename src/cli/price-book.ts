import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { describeDbLocation, isPostgresUrl } from '../lib/db-location.js';
import { packCatalog, unpackCatalog } from '../pricing/catalog-data.js';
import { createPricer, type Pricer } from '../pricing/pricer.js';
import { parseCatalogJson, snapshotSource, type CatalogSnapshot } from '../pricing/snapshot.js';
import type { Store } from '../store/facade.js';
import type { PriceSnapshotRecord, PriceStore } from '../store/price-store.js';
import { dbPathFor, openStoreFor, type CliContext } from './context.js';

/**
 * The prices a command applies: the config's `prices:`, tokometer's overrides, the newest
 * catalog snapshot stored in the database and the pinned catalog, and where new catalog
 * data comes from.
 */

/**
 * The catalog's published data (the URL @pydantic/genai-prices itself updates from,
 * its REMOTE_DATA_JSON_URL; test/pricing/price-book.test.ts keeps them equal).
 */
export const PUBLISHED_DATA_URL = 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json';

/** ms a fetch of catalog data may take before it is given up. */
export const FETCH_TIMEOUT_MS = 30_000;

/**
 * A stored snapshot converted for pricing (validated, then kept packed: each provider's
 * models are parsed when first priced). Throws when its data no longer parses.
 */
export function snapshotFromRecord(r: PriceSnapshotRecord): CatalogSnapshot {
  const data = unpackCatalog(packCatalog(parseCatalogJson(r.data)));
  return { id: r.id, source: snapshotSource(r.fetchedAt, r.sha256), fetchedAt: r.fetchedAt, sha256: r.sha256, data };
}

/** The newest snapshot in `prices`, converted; null when none is stored. */
export async function newestSnapshot(prices: PriceStore): Promise<CatalogSnapshot | null> {
  const r = await prices.latestSnapshot();
  return r === null ? null : snapshotFromRecord(r);
}

/**
 * A pricer for a read-only command: config prices plus the newest stored snapshot when the
 * database exists (a missing database is not created, and a PostgreSQL database tokometer
 * never wrote to is not migrated: the pinned catalog applies).
 */
export async function pricerFor(ctx: Pick<CliContext, 'edges' | 'env' | 'cwd' | 'err'>, config: Config, dbFlag: string | undefined): Promise<Pricer> {
  const dbPath = dbPathFor(ctx, config, dbFlag);
  const postgres = isPostgresUrl(dbPath);
  if (dbPath === ':memory:' || (!postgres && !existsSync(dbPath))) return createPricer(config.prices);
  let store: Store;
  try {
    store = await openStoreFor(ctx, dbPath, 'read');
  } catch (error) {
    if (postgres && (error as Error).name === 'PostgresNotInitialisedError') return createPricer(config.prices);
    throw error;
  }
  try {
    return createPricer(config.prices, { snapshot: await newestSnapshot(store.prices) });
  } catch (error) {
    ctx.err(`tokometer: the newest price snapshot in ${describeDbLocation(dbPath)} cannot be used (${(error as Error).message}); using the pinned catalog\n`);
    return createPricer(config.prices);
  } finally {
    await store.close();
  }
}

/** Where catalog data comes from: `--from`, else config `prices.source`, else the published URL. */
export function catalogOrigin(from: string | undefined, config: Config): string {
  return from ?? config.price_updates.source ?? PUBLISHED_DATA_URL;
}

/** Catalog data as fetched or read. */
export interface FetchedCatalog {
  /** The URL, or the file's absolute path. */
  origin: string;
  text: string;
  /** SHA-256 of the text (UTF-8), lower-case hex. */
  sha256: string;
}

/** An origin that could not be read (offline, HTTP error, missing file): exit 1. */
export class FetchError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

/**
 * Reads catalog data from an http(s) URL (global fetch, aborted after `timeoutMs`) or a
 * file (relative to `cwd`). Throws FetchError saying what failed.
 */
export async function fetchCatalog(origin: string, cwd: string, timeoutMs = FETCH_TIMEOUT_MS): Promise<FetchedCatalog> {
  let text: string;
  let where = origin;
  if (/^https?:\/\//i.test(origin)) {
    let res: Response;
    try {
      res = await fetch(origin, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new FetchError(`could not fetch ${origin}: ${why} (offline? use --from FILE to load a downloaded copy)`);
    }
    if (!res.ok) throw new FetchError(`could not fetch ${origin}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    try {
      text = await res.text();
    } catch (error) {
      throw new FetchError(`could not read the answer from ${origin}: ${(error as Error).message}`);
    }
  } else {
    where = path.resolve(cwd, origin);
    try {
      text = readFileSync(where, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new FetchError(code === 'ENOENT' ? `price file not found: ${origin}` : `cannot read ${origin}: ${(error as Error).message}`);
    }
  }
  return { origin: where, text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}
