import { PROVIDER_NAME_RE } from '../domain/names.js';
import { type Result, ok, err } from '../lib/result.js';

/** Where an incoming URL goes. */
export type Route =
  | { kind: 'proxy'; provider: string; path: string; query: string }
  | { kind: 'health' }
  | { kind: 'metrics' }
  | { kind: 'admin'; path: string; query: string }
  | { kind: 'unknown' };

// Characters allowed in a forwarded path: RFC 3986 pchar plus '/'. Percent-escapes are
// checked separately so an encoded '/', '\' or '.' can never change the path's meaning.
const SAFE_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const FORBIDDEN_ESCAPE = /%(2f|5c|2e|00)/i;
const MALFORMED_ESCAPE = /%(?![0-9a-f]{2})/i;

/** Why a request target was refused; `provider` is the one it was meant for when its path names one (the error is answered in its shape). */
export interface RouteError {
  message: string;
  provider?: string;
}

/**
 * Splits a request target into a route. For proxy routes, `path` is everything after
 * `/proxy/<provider>` (always starting with '/', or '' when nothing follows) and
 * `query` the raw query string without '?'.
 */
export function parseRoute(url: string): Result<Route, RouteError> {
  if (!url.startsWith('/')) return err({ message: 'request target must be a path (absolute URLs are not accepted)' });
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (pathname === '/healthz') return ok({ kind: 'health' });
  if (pathname === '/metrics') return ok({ kind: 'metrics' });
  if (pathname === '/admin' || pathname.startsWith('/admin/')) return ok({ kind: 'admin', path: pathname.slice('/admin'.length), query });
  if (!pathname.startsWith('/proxy/')) return ok({ kind: 'unknown' });
  const rest = pathname.slice('/proxy/'.length);
  const slash = rest.indexOf('/');
  const provider = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (!PROVIDER_NAME_RE.test(provider)) return ok({ kind: 'unknown' });
  const problem = unsafePathReason(path);
  if (problem) return err({ message: problem, provider });
  return ok({ kind: 'proxy', provider, path: path.includes('%') ? decodePlainEscapes(path) : path, query });
}

/** An escaped letter, digit, `-`, `_`, `~` or `:` (`.` is refused above, `/` too). */
const PLAIN_ESCAPE = /%(3[0-9a]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|2d|5f|7e)/gi;

/**
 * The path with escapes of letters, digits, `-`, `_`, `~` and `:` decoded (RFC 3986 §6.2.2.2:
 * an escaped unreserved character is the character itself): a provider that reads
 * `chat/completion%73` as `chat/completions` bills it, so the proxy describes and meters
 * it as that, and forwards it so. Other escapes (spaces, `?`, `#`…) stay as they are.
 */
function decodePlainEscapes(path: string): string {
  return path.replace(PLAIN_ESCAPE, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
}

/** Why a forwarded path could escape the provider's base URL, or null when it is safe. */
export function unsafePathReason(path: string): string | null {
  if (!SAFE_PATH.test(path)) return 'path contains characters that are not allowed';
  if (FORBIDDEN_ESCAPE.test(path)) return 'path contains an encoded slash, backslash, dot or NUL';
  if (MALFORMED_ESCAPE.test(path)) return "path contains a '%' that is not followed by two hex digits";
  if (path.includes('//')) return 'path contains an empty segment (//)';
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return 'path contains a dot segment (. or ..)';
  }
  return null;
}

/**
 * Joins a provider base URL (no trailing slash needed) with a safe path and query.
 * A base URL ending in `/v1` and a path starting with `/v1/` share that segment once:
 * SDKs whose paths carry the version (Mistral's, or any SDK given `…/proxy/openai/v1`)
 * then reach `…/v1/chat/completions`, not `…/v1/v1/chat/completions`.
 */
export function upstreamUrl(baseUrl: string, path: string, query: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  const joined = base.endsWith('/v1') && path.startsWith('/v1/') ? base + path.slice(3) : base + path;
  return query ? `${joined}?${query}` : joined;
}

/**
 * A provider base URL's query (`api-version=2024-10-21`, ProviderRuntime.baseQuery) merged
 * into a request's raw query (without '?'): the base's parameters come first, except those
 * whose name the request sets itself (the client's value wins); the request's bytes are kept
 * as sent.
 */
export function mergeQuery(baseQuery: string, query: string): string {
  if (query === '') return baseQuery;
  const base = new URLSearchParams(baseQuery);
  for (const name of new URLSearchParams(query).keys()) base.delete(name);
  const kept = base.toString();
  return kept === '' ? query : `${kept}&${query}`;
}
