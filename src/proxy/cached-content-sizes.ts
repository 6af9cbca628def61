import { BoundedCache } from '../lib/bounded-cache.js';
import type { Observed, RequestInfo, Usage } from '../providers/types.js';

/**
 * How many tokens each Gemini explicit cache holds, for the budget estimate of a request
 * that reads one (RequestInfo.cachedContent): the cached prompt is billed at the model's
 * cache-read rate, as input the request's body does not carry, so concurrent calls on one
 * cache must reserve it or they pass a cap together (proxy/budget-request.ts, budget/gate.ts).
 *
 * Learned, per provider (each provider config sends one upstream API key, and a cache name
 * means something only to the project of that key) and cache name, from:
 * - a cache created through the proxy: its answer's `usageMetadata.totalTokenCount`;
 * - any answer of a call that read the cache: `usageMetadata.cachedContentTokenCount`;
 * and forgotten when a delete through the proxy succeeds. A cache this process has not
 * seen (created elsewhere, by another replica, or before a restart) is held at
 * {@link reserveTokens}'s rule. Memory only, per replica: nothing is stored.
 *
 * Bounded: past `capacity` cache names the least recently used is forgotten; the per-key
 * largest sizes are cleared past `capacity` (key, model) pairs (model names come from clients).
 */
export class CachedContentSizes {
  private readonly sizes: BoundedCache<string, number>;
  private readonly largest = new Map<string, number>();

  constructor(private readonly capacity = DEFAULT_CACHE_NAMES) {
    this.sizes = new BoundedCache(capacity);
  }

  /** Tokens of cache `name` (`cachedContents/abc123`) on `provider`; undefined when unknown. */
  tokensOf(provider: string, name: string): number | undefined {
    return this.sizes.get(nameKey(provider, name));
  }

  /**
   * Tokens to reserve for a call of `keyName` on `model` reading cache `name`: its size when
   * known; else the largest cache this key has read or created with this model here, or
   * {@link UNKNOWN_CACHE_TOKENS}, whichever is larger (docs/prices.md explains the trade-off).
   */
  reserveTokens(provider: string, name: string, keyName: string | null, model: string | null): number {
    const known = this.tokensOf(provider, name);
    if (known !== undefined) return known;
    const seen = keyName === null || model === null ? undefined : this.largest.get(largestKey(provider, keyName, model));
    return Math.max(seen ?? 0, UNKNOWN_CACHE_TOKENS);
  }

  /** Cache `name` holds `tokens` (a non-negative integer); `keyName` created or read it with `model` (null when not known). */
  remember(provider: string, name: string, tokens: number, keyName: string | null, model: string | null): void {
    if (!Number.isSafeInteger(tokens) || tokens < 0) return;
    this.sizes.set(nameKey(provider, name), tokens);
    if (keyName === null || model === null) return;
    const pair = largestKey(provider, keyName, model);
    const before = this.largest.get(pair);
    if (before !== undefined && before >= tokens) return;
    if (before === undefined && this.largest.size >= this.capacity) this.largest.clear();
    this.largest.set(pair, tokens);
  }

  /**
   * What an answer of `keyName`'s call on `provider` says of a cache's size: a creation answers
   * its tokens (Observed.createdCache), a delete removes the cache, and a call that read it
   * reports them (`cachedContentTokenCount`, Usage.cacheReadTokens, when `source` is 'reported').
   */
  learnFromAnswer(provider: string, keyName: string | null, info: RequestInfo, usage: Usage | null, source: string, observed: Observed | null): void {
    const created = observed?.createdCache;
    if (created !== undefined) this.remember(provider, created.name, created.tokens, keyName, created.model);
    else if (info.cacheLifecycle?.op === 'delete') this.forget(provider, info.cacheLifecycle.name);
    else if (info.cachedContent !== undefined && usage !== null && source === 'reported' && usage.cacheReadTokens > 0) {
      this.remember(provider, info.cachedContent, usage.cacheReadTokens, keyName, info.model);
    }
  }

  /** Cache `name` was deleted. */
  forget(provider: string, name: string): void {
    this.sizes.delete(nameKey(provider, name));
  }

  /** Cache names known. */
  get size(): number {
    return this.sizes.size;
  }
}

function nameKey(provider: string, name: string): string {
  return `${provider}\u0000${name}`;
}

function largestKey(provider: string, keyName: string, model: string): string {
  return `${provider}\u0000${keyName}\u0000${model}`;
}

/** Cache names kept by default (~100 bytes each: well under 1 MB). */
export const DEFAULT_CACHE_NAMES = 4096;

/**
 * Tokens reserved for a cache of unknown size when the key has read none larger with the
 * model: 128,000 (a large document; the smallest cache Gemini takes is 1,024 to 4,096 tokens).
 * Held at the cache-read rate of the tier it lands in: $0.016 on gemini-2.5-pro ($0.125 per
 * 1M), $0.00384 on gemini-2.5-flash ($0.03). A larger cache never seen before can overshoot
 * a cap by more than one call's cost when many calls on it start together, until the first
 * answer says its size.
 */
export const UNKNOWN_CACHE_TOKENS = 128_000;
