import { afterEach, describe, expect, it, vi } from 'vitest';

// Spy on the real timingSafeEqual to see what the admin token check compares.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const crypto = await import('node:crypto');
const { bearerToken, tokenMatches } = await import('../../src/admin/token.js');

describe('admin token check', () => {
  afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

  it('accepts only the exact token', () => {
    expect(tokenMatches('s3cret-token', 's3cret-token')).toBe(true);
    for (const wrong of ['', 's3cret-toke', 's3cret-tokeN', 's3cret-token ', 'S3cret-token', 's3cret-token-and-more']) {
      expect(tokenMatches(wrong, 's3cret-token')).toBe(false);
    }
  });

  it('compares equal-length SHA-256 digests with crypto.timingSafeEqual, whatever the lengths presented', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    for (const presented of ['x', 's3cret-token', 'a much longer token than the real one, 64+ characters long, really']) {
      tokenMatches(presented, 's3cret-token');
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer];
      expect(a.length).toBe(32);
      expect(b.length).toBe(32);
      spy.mockClear();
    }
  });

  it('reads Bearer tokens only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
