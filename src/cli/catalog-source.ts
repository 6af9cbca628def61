import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packCatalog, unpackCatalog } from '../pricing/catalog-data.js';
import { parseCatalogJson, snapshotSource, type CatalogSnapshot } from '../pricing/snapshot.js';
import type { PriceSnapshotRecord, PriceStore } from '../store/price-store.js';

/**
 * Where catalog data comes from (a URL or a file) and the snapshots stored from it: what
 * `prices update`, the other price commands and `serve`'s price watch share. No config
 * and no command context here, so serving does not load the CLI's config loader for it.
 */

/**
 * The catalog's published data (the URL @pydantic/genai-prices itself updates from,
 * its REMOTE_DATA_JSON_URL; test/prices/fetch.test.ts keeps them equal).
 */
export const PUBLISHED_DATA_URL = 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json';

/** ms a fetch of catalog data may take before it is given up. */
export const FETCH_TIMEOUT_MS = 30_000;

/**
 * A stored snapshot converted for pricing (validated, then kept packed: each provider's
 * models are parsed when first priced). Throws when its data no longer parses.
 */
export function snapshotFromRecord(r: PriceSnapshotRecord): CatalogSnapshot {
  return snapshotFromText(r.data, r.fetchedAt, r.sha256, r.id);
}

/** Catalog data as text (fetched at `fetchedAt`, ms) as the snapshot it is or would be once stored as `id`. @throws when it does not parse. */
export function snapshotFromText(text: string, fetchedAt: number, sha256: string, id: number): CatalogSnapshot {
  const data = unpackCatalog(packCatalog(parseCatalogJson(text)));
  return { id, source: snapshotSource(fetchedAt, sha256), fetchedAt, sha256, data };
}

/** The newest snapshot in `prices`, converted; null when none is stored. */
export async function newestSnapshot(prices: PriceStore): Promise<CatalogSnapshot | null> {
  const r = await prices.latestSnapshot();
  return r === null ? null : snapshotFromRecord(r);
}

/** Catalog data as fetched or read. */
export interface FetchedCatalog {
  /** The URL, or the file's absolute path. */
  origin: string;
  text: string;
  /** SHA-256 of the text (UTF-8), lower-case hex. */
  sha256: string;
}

/**
 * An origin that could not be read. Exit 1 for a URL (offline, HTTP error: may work later);
 * exit 2 for a file that is missing or unreadable, which is bad input like bad data.
 */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
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
      const shown = where === origin ? origin : `${origin} (${where})`;
      throw new FetchError(code === 'ENOENT' ? `price file not found: ${shown}` : `cannot read ${origin}: ${(error as Error).message}`, 2);
    }
  }
  return { origin: where, text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}
