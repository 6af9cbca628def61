import { AdminApiError, type AdminClient } from './http.js';

/**
 * Paging through an admin report (OpenAI and Anthropic share the shape: `data` buckets,
 * `has_more`, `next_page`) and reading its fields strictly: a field of the wrong type is
 * an error naming the report and the field, never a silent 0. Absent counts are 0.
 */

/** One time bucket as the report sends it. */
export type Bucket = Record<string, unknown> & { results: Array<Record<string, unknown>> };

/** Pages followed at most per report; a provider that keeps saying has_more is a bug. */
const MAX_PAGES = 1000;

const DAY_MS = 86_400_000;

/** Every bucket of a report, following next_page until has_more is false. */
export async function allBuckets(client: AdminClient, report: string, path: string, query: URLSearchParams): Promise<Bucket[]> {
  const out: Bucket[] = [];
  const seen = new Set<string>();
  let page: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const q = new URLSearchParams(query);
    if (page !== null) q.set('page', page);
    const body = await client.getJson(path, q);
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data)) {
      throw new AdminApiError(`${report}: the answer has no data array`);
    }
    const { data, has_more: hasMore, next_page: next } = body as { data: unknown[]; has_more?: unknown; next_page?: unknown };
    data.forEach((b, i) => out.push(bucket(b, `${report}: data[${i}]`)));
    if (hasMore !== true) return out;
    if (typeof next !== 'string' || next === '') throw new AdminApiError(`${report}: has_more is true but next_page is ${JSON.stringify(next)}`);
    if (seen.has(next)) throw new AdminApiError(`${report}: next_page ${JSON.stringify(next)} came back twice; stopping instead of looping`);
    seen.add(next);
    page = next;
  }
  throw new AdminApiError(`${report}: still has_more after ${MAX_PAGES} pages; narrow --since`);
}

function bucket(b: unknown, where: string): Bucket {
  if (typeof b !== 'object' || b === null || !Array.isArray((b as { results?: unknown }).results)) {
    throw new AdminApiError(`${where} has no results array`);
  }
  const results = (b as { results: unknown[] }).results;
  results.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) throw new AdminApiError(`${where}.results[${i}] is not an object`);
  });
  return b as Bucket;
}

/** A token or request count: absent or null = 0; anything but a non-negative number is an error. */
export function count(obj: Record<string, unknown>, field: string, where: string): number {
  const v = obj[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new AdminApiError(`${where}.${field} is ${JSON.stringify(v)}, expected a count`);
  return v;
}

/** A nested object field (absent = {}). */
export function child(obj: Record<string, unknown>, field: string, where: string): Record<string, unknown> {
  const v = obj[field];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object') throw new AdminApiError(`${where}.${field} is ${JSON.stringify(v)}, expected an object`);
  return v as Record<string, unknown>;
}

/** A string field; null when absent or null. */
export function text(obj: Record<string, unknown>, field: string, where: string): string | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new AdminApiError(`${where}.${field} is ${JSON.stringify(v)}, expected a string`);
  return v;
}

/** The UTC day (ms) a bucket starts in, from Unix seconds or an RFC 3339 time. */
export function bucketDay(value: unknown, where: string): number {
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new AdminApiError(`${where} has no readable bucket start (${JSON.stringify(value)})`);
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * Every result of every bucket of a report, mapped with the UTC day its bucket starts
 * (`startField`: `start_time` in Unix seconds, or `starting_at` in RFC 3339) and where it
 * is in the answer (for error messages).
 */
export async function reportRows<T>(
  client: AdminClient,
  report: string,
  path: string,
  query: URLSearchParams,
  startField: string,
  row: (day: number, result: Record<string, unknown>, where: string) => T,
): Promise<T[]> {
  const out: T[] = [];
  for (const [i, b] of (await allBuckets(client, report, path, query)).entries()) {
    const day = bucketDay(b[startField], `${report}: data[${i}].${startField}`);
    b.results.forEach((r, j) => out.push(row(day, r, `${report}: data[${i}].results[${j}]`)));
  }
  return out;
}
