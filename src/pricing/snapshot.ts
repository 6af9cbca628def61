import { CatalogDataError, compactCatalog, type CatalogProvider } from './catalog-data.js';

/** `source` of prices from a stored snapshot: `snapshot:<fetch date UTC>:<first 8 hex of SHA-256>`. */
export type SnapshotSource = `snapshot:${string}`;

/** A stored catalog snapshot, converted for pricing. Newer snapshots have higher ids. */
export interface CatalogSnapshot {
  id: number;
  source: SnapshotSource;
  /** When it was fetched and stored, ms since the epoch. */
  fetchedAt: number;
  /** SHA-256 of the stored text, lower-case hex. */
  sha256: string;
  data: readonly CatalogProvider[];
}

/** The price source name of a snapshot fetched at `fetchedAtMs` with digest `sha256`. */
export function snapshotSource(fetchedAtMs: number, sha256: string): SnapshotSource {
  return `snapshot:${new Date(fetchedAtMs).toISOString().slice(0, 10)}:${sha256.slice(0, 8)}`;
}

/**
 * Parses catalog data in the published format (genai-prices `data.json`) and converts it
 * as the pinned table is converted (`compactCatalog`). Throws an Error that says what is
 * wrong: not JSON, or the path of the first bad field.
 */
export function parseCatalogJson(text: string): CatalogProvider[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  try {
    return compactCatalog(raw);
  } catch (e) {
    if (e instanceof CatalogDataError) throw new Error(`not catalog data in the published format: ${e.message}`);
    throw e;
  }
}
