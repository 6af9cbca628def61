import { createHash } from 'node:crypto';
import { CHARS_PER_TOKEN } from './text.js';

/** Tokens per cache block: providers cache prompt prefixes in 128-token steps. */
export const CACHE_BLOCK_TOKENS = 128;
/** Shortest prompt that is cached at all, in tokens (OpenAI and Gemini implicit caching). */
export const MIN_CACHED_TOKENS = 1024;
/** How long a cached prefix survives without being used, in simulated ms. */
export const CACHE_TTL_MS = 10 * 60_000;

const BLOCK_CHARS = CACHE_BLOCK_TOKENS * CHARS_PER_TOKEN;
/** Entries unused for this long (simulated ms, relative to the latest call) are dropped. */
const EVICT_AFTER_MS = 2 * 24 * 3_600_000;
const EVICT_EVERY = 50_000;

/**
 * Implicit prompt-prefix caching as OpenAI and Gemini do it: a request whose prompt
 * starts with the same text as a recent request gets that shared prefix, in whole
 * 128-token blocks and only from 1,024 tokens up, reported as cached input tokens.
 * Time is the simulated time of each request, so the cache behaves the same however
 * fast the demo runs. Only identical prefixes hit; a prompt that begins with something
 * that changes on every call (a timestamp) never does, which is the point the demo makes.
 */
export class PromptCache {
  /** Chained prefix digest (scope included) → simulated ms of its last use. */
  private readonly lastUsed = new Map<string, number>();
  private inserts = 0;
  private latest = 0;

  /**
   * Cached tokens for `prompt` at simulated time `now` (ms since the epoch), then records
   * every block prefix of it as used at `now`. `scope` separates models (a cache is per model).
   */
  lookup(scope: string, prompt: string, now: number): number {
    const blocks = Math.floor(prompt.length / BLOCK_CHARS);
    let digest = scope;
    let hits = 0;
    let missed = false;
    for (let i = 0; i < blocks; i++) {
      digest = createHash('sha1')
        .update(digest)
        .update(prompt.slice(i * BLOCK_CHARS, (i + 1) * BLOCK_CHARS))
        .digest('base64');
      const seen = this.lastUsed.get(digest);
      if (!missed && seen !== undefined && seen <= now && now - seen <= CACHE_TTL_MS) hits++;
      else missed = true;
      if (seen === undefined || seen < now) this.lastUsed.set(digest, now);
      this.inserts++;
    }
    this.latest = Math.max(this.latest, now);
    if (this.inserts >= EVICT_EVERY) this.evict();
    const tokens = hits * CACHE_BLOCK_TOKENS;
    return tokens >= MIN_CACHED_TOKENS ? tokens : 0;
  }

  private evict(): void {
    this.inserts = 0;
    for (const [digest, at] of this.lastUsed) {
      if (this.latest - at > EVICT_AFTER_MS) this.lastUsed.delete(digest);
    }
  }
}
