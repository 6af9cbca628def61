import { describe, expect, it } from 'vitest';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { CachedContentSizes, UNKNOWN_CACHE_TOKENS } from '../../src/proxy/cached-content-sizes.js';

describe('CachedContentSizes: Gemini cache sizes for budget estimates', () => {
  it('knows a cache per provider, forgets a deleted one, and holds an unknown one at max(largest of the key and model, 128,000)', () => {
    const sizes = new CachedContentSizes();
    sizes.remember('gemini', 'cachedContents/a', 179_990, 'app', 'gemini-2.5-pro');
    expect(sizes.tokensOf('gemini', 'cachedContents/a')).toBe(179_990);
    // Another provider config (another upstream key, another project): a different cache.
    expect(sizes.tokensOf('gemini-eu', 'cachedContents/a')).toBeUndefined();
    expect(sizes.reserveTokens('gemini-eu', 'cachedContents/a', 'app', 'gemini-2.5-pro')).toBe(UNKNOWN_CACHE_TOKENS);
    sizes.forget('gemini', 'cachedContents/a');
    expect(sizes.tokensOf('gemini', 'cachedContents/a')).toBeUndefined();
    // Deleted: unknown again, held at the largest cache the key has used with the model.
    expect(sizes.reserveTokens('gemini', 'cachedContents/a', 'app', 'gemini-2.5-pro')).toBe(179_990);
    expect(sizes.reserveTokens('gemini', 'cachedContents/a', 'other-key', 'gemini-2.5-pro')).toBe(128_000);
    expect(sizes.reserveTokens('gemini', 'cachedContents/a', 'app', 'gemini-2.5-flash')).toBe(128_000);
    // A small known cache is held at its size; a small largest never lowers the unknown figure.
    sizes.remember('gemini', 'cachedContents/small', 5_000, 'app', 'gemini-2.5-flash');
    expect(sizes.reserveTokens('gemini', 'cachedContents/small', 'app', 'gemini-2.5-flash')).toBe(5_000);
    expect(sizes.reserveTokens('gemini', 'cachedContents/b', 'app', 'gemini-2.5-flash')).toBe(128_000);
  });

  it('keeps at most `capacity` names, forgetting the least recently used', () => {
    const sizes = new CachedContentSizes(2);
    sizes.remember('gemini', 'cachedContents/a', 1, null, null);
    sizes.remember('gemini', 'cachedContents/b', 2, null, null);
    expect(sizes.tokensOf('gemini', 'cachedContents/a')).toBe(1);
    sizes.remember('gemini', 'cachedContents/c', 3, null, null);
    expect([sizes.size, sizes.tokensOf('gemini', 'cachedContents/a'), sizes.tokensOf('gemini', 'cachedContents/b'), sizes.tokensOf('gemini', 'cachedContents/c')]).toEqual([2, 1, undefined, 3]);
  });
});

describe('the Gemini adapter on cache requests', () => {
  const gemini = createGeminiAdapter();

  it('names the cache a generate call reads (also by its id alone), and only for generate calls', () => {
    expect(gemini.describe('POST', '/v1beta/models/gemini-2.5-pro:generateContent', { cachedContent: 'cachedContents/abc' }).cachedContent).toBe('cachedContents/abc');
    expect(gemini.describe('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', { cached_content: 'abc' }).cachedContent).toBe('cachedContents/abc');
    expect(gemini.describe('POST', '/v1beta/models/gemini-2.5-pro:countTokens', { cachedContent: 'cachedContents/abc' }).cachedContent).toBeUndefined();
    expect(gemini.describe('POST', '/v1beta/models/gemini-2.5-pro:generateContent', { contents: [] }).cachedContent).toBeUndefined();
  });

  it('tells a cache creation and deletion apart from other cache requests, none of them metered', () => {
    expect(gemini.describe('POST', '/v1beta/cachedContents', {})).toMatchObject({ metered: false, cacheLifecycle: { op: 'create' } });
    expect(gemini.describe('DELETE', '/v1beta/cachedContents/abc', undefined)).toMatchObject({ metered: false, cacheLifecycle: { op: 'delete', name: 'cachedContents/abc' } });
    expect(gemini.describe('GET', '/v1beta/cachedContents/abc', undefined).cacheLifecycle).toBeUndefined();
    expect(gemini.describe('PATCH', '/v1beta/cachedContents/abc', {}).cacheLifecycle).toBeUndefined();
  });

  it("reads a creation's answer: name, usageMetadata.totalTokenCount and model; no usage", () => {
    const info = gemini.describe('POST', '/v1beta/cachedContents', {});
    const answer = { name: 'cachedContents/abc', model: 'models/gemini-2.5-pro', usageMetadata: { totalTokenCount: 179_990 } };
    expect(gemini.usageFromJson(info, answer)).toEqual({ usage: null, model: null, createdCache: { name: 'cachedContents/abc', tokens: 179_990, model: 'gemini-2.5-pro' } });
    expect(gemini.usageFromJson(info, { name: 'cachedContents/abc' })).toEqual({ usage: null, model: null });
  });
});
