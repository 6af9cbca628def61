import { count, objAt, str } from './json.js';
import type { Observed, RequestInfo } from './types.js';

/**
 * Gemini explicit caches as the budget needs them (ai.google.dev/api/caching): which cache a
 * generate request reads (`cachedContent`, proto name `cached_content`), and the requests that
 * create one (`POST {version}/cachedContents`, answered with the CachedContent: `name`,
 * `model`, `usageMetadata.totalTokenCount`, as @google/genai's CachedContent and
 * CachedContentUsageMetadata declare them) or delete one (`DELETE {version}/cachedContents/ID`).
 * Neither is metered: the cache's storage is billed by the hour, which tokometer does not meter.
 */

/**
 * `/v1beta/cachedContents` (create, list) or `/v1beta/cachedContents/abc123` (get, update,
 * delete); on Vertex AI (`v1`, `v1beta1`) under `projects/P/locations/L/`, whose caches the
 * API names in full (`projects/P/locations/L/cachedContents/ID`).
 */
const CACHES_PATH = /^\/(v1|v1beta|v1alpha|v1beta1)\/((?:projects\/[^/]+\/locations\/[^/]+\/)?)cachedContents(?:\/([^/:]+))?$/;

const RESOURCE = 'cachedContents/';

/**
 * A cache's resource name as the API names it (`cachedContents/abc123`; on Vertex AI
 * `projects/P/locations/L/cachedContents/abc123`), also when a client sends only the id.
 */
function resourceName(name: string): string {
  return name.startsWith(RESOURCE) || name.includes(`/${RESOURCE}`) ? name : RESOURCE + name;
}

/** The cache a generate request's body reads, as a resource name; undefined when it names none. */
export function cachedContentOf(json: Record<string, unknown>): string | undefined {
  const name = str(json.cachedContent) ?? str(json.cached_content);
  return name === null ? undefined : resourceName(name);
}

/** The description of a cache creation or deletion (never metered); null for any other request. */
export function describeCacheLifecycle(method: string, bare: string): RequestInfo | null {
  const match = CACHES_PATH.exec(bare);
  if (match === null) return null;
  const id = match[3];
  const verb = method.toUpperCase();
  let cacheLifecycle: RequestInfo['cacheLifecycle'];
  if (verb === 'POST' && id === undefined) cacheLifecycle = { op: 'create' };
  else if (verb === 'DELETE' && id !== undefined) cacheLifecycle = { op: 'delete', name: resourceName(`${match[2]}${RESOURCE}${id}`) };
  else return null;
  return { endpoint: 'other', kind: 'other', metered: false, model: null, streaming: false, maxOutputTokens: null, cacheLifecycle };
}

/** What a cache creation's answer says of the cache (Observed.createdCache); no usage (nothing is billed per call). */
export function observeCreatedCache(json: unknown): Observed {
  const body = objAt(json);
  const name = str(body.name);
  const tokens = count(objAt(body.usageMetadata).totalTokenCount);
  if (name === null || tokens === undefined) return { usage: null, model: null };
  const model = str(body.model);
  return { usage: null, model: null, createdCache: { name: resourceName(name), tokens, model: model === null ? null : model.replace(/^(?:.*\/)?models\//, '') } };
}
