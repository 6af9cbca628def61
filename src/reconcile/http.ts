import { UsageError } from '../lib/errors.js';
import { upstreamUrl } from '../proxy/route.js';

/**
 * GET requests to a provider's admin API, bounded in time: a timeout per attempt, a
 * deadline for the whole run, 429 answered by waiting its Retry-After, 5xx, timeouts and
 * network errors retried with backoff. Every failure names the request (method, path and
 * query; never a header). The admin key is removed from any text quoted from a response.
 * A 401 or 403 is a UsageError (exit 2) naming where the key came from.
 */

/** Limits of the admin API client; every field has a default. Times in ms. */
export interface AdminHttpOptions {
  /** One attempt, headers and body (default 30 s). */
  requestTimeoutMs?: number;
  /** Every request of the run, retries and waits included (default 5 minutes). */
  totalTimeoutMs?: number;
  /** Attempts per request (default 4). */
  maxAttempts?: number;
  /** First backoff after a 5xx, timeout or network error; doubles per attempt (default 1 s). */
  backoffMs?: number;
  /** Longest Retry-After honoured; longer asks fail the run (default 60 s). */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A request to the admin API failed for good (exit 1); the message names the request. */
export class AdminApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface AdminClientOptions {
  /** e.g. `https://api.openai.com/v1`; paths are joined to it. */
  baseUrl: string;
  /** Headers of every request (they carry the key; never printed). */
  headers: Record<string, string>;
  /** The admin key itself, removed from quoted response text. */
  secret: string;
  /** Where the key came from, e.g. `OPENAI_ADMIN_KEY` or `providers.openai.admin_key`. */
  keySource: string;
  providerLabel: string;
  http?: AdminHttpOptions;
}

export interface AdminClient {
  /** GETs `path` (joined to the base URL) with `query`; resolves to the parsed JSON body. */
  getJson(path: string, query: URLSearchParams): Promise<unknown>;
}

const RETRYABLE = new Set([500, 502, 503, 504, 529]);
const SNIPPET_CHARS = 300;

export function createAdminClient(o: AdminClientOptions): AdminClient {
  const h = o.http ?? {};
  const requestTimeoutMs = h.requestTimeoutMs ?? 30_000;
  const maxAttempts = h.maxAttempts ?? 4;
  const backoffMs = h.backoffMs ?? 1000;
  const maxRetryAfterMs = h.maxRetryAfterMs ?? 60_000;
  const doFetch = h.fetch ?? fetch;
  const sleep = h.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = h.now ?? Date.now;
  const deadline = now() + (h.totalTimeoutMs ?? 300_000);
  const redact = (text: string) => (o.secret === '' ? text : text.split(o.secret).join('[admin key]'));

  return {
    async getJson(path, query) {
      const url = upstreamUrl(o.baseUrl, path, query.toString());
      const what = `GET ${new URL(url).pathname}${query.size > 0 ? `?${decodeURIComponent(query.toString())}` : ''}`;
      const giveUp = (why: string): never => {
        throw new AdminApiError(`${o.providerLabel} admin API: ${what} ${why}`);
      };
      for (let attempt = 1; ; attempt++) {
        const left = deadline - now();
        if (left <= 0) giveUp(`not answered: the run's time limit of ${Math.round((h.totalTimeoutMs ?? 300_000) / 1000)} s ran out`);
        const timeout = Math.min(requestTimeoutMs, left);
        let waitMs: number;
        let failure: string;
        try {
          const res = await doFetch(url, { method: 'GET', headers: o.headers, signal: AbortSignal.timeout(timeout) });
          const text = await res.text();
          if (res.ok) {
            try {
              return JSON.parse(text) as unknown;
            } catch {
              return giveUp(`answered ${res.status} with a body that is not JSON: ${snippet(redact(text))}`);
            }
          }
          const detail = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}: ${snippet(redact(providerMessage(text)))}`;
          if (res.status === 401 || res.status === 403) {
            // 401/403: exit 2 like any bad usage, naming where the key came from.
            throw new UsageError(
              `${o.providerLabel} rejected the admin key from ${o.keySource} (${what} answered ${detail}). ` +
                `Set ${o.keySource} to an organization admin key with access to usage and cost reports.`,
            );
          }
          if (res.status !== 429 && !RETRYABLE.has(res.status)) giveUp(`answered ${detail}`);
          failure = `answered ${detail}`;
          const retryAfter = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), now()) : null;
          if (retryAfter !== null && retryAfter > maxRetryAfterMs) giveUp(`answered 429 asking to retry after ${Math.ceil(retryAfter / 1000)} s (longer than ${maxRetryAfterMs / 1000} s)`);
          waitMs = retryAfter ?? backoffMs * 2 ** (attempt - 1);
        } catch (error) {
          if (error instanceof UsageError || error instanceof AdminApiError) throw error;
          const e = error as Error;
          failure = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${Math.round(timeout / 100) / 10} s` : `failed: ${redact(causeText(e))}`;
          waitMs = backoffMs * 2 ** (attempt - 1);
        }
        if (attempt >= maxAttempts) giveUp(`${failure} (gave up after ${attempt} attempts)`);
        if (now() + waitMs >= deadline) giveUp(`${failure}; no time left in the run's limit to retry`);
        await sleep(waitMs);
      }
    },
  };
}

/** Retry-After as ms from now: delta seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The `error.message` of a JSON error body (OpenAI and Anthropic shapes), else the text. */
function providerMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string' && m !== '') return m;
  } catch {
    // not JSON: quote the text
  }
  return text;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}

/** fetch's own message plus its cause's (ECONNREFUSED and the like hide there). */
function causeText(e: Error): string {
  const cause = (e as { cause?: { message?: unknown; code?: unknown } }).cause;
  const extra = cause && typeof cause.message === 'string' ? ` (${typeof cause.code === 'string' ? `${cause.code}: ` : ''}${cause.message})` : '';
  return `${e.message}${extra}`;
}
