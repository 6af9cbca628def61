import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header; null when absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^Bearer[ \t]+(\S.*)$/i.exec(header.trim());
  return m ? m[1]!.trim() : null;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether `presented` equals the admin token, in constant time: both are hashed to
 * 32-byte SHA-256 digests first, so `timingSafeEqual` always compares equal lengths and
 * neither the token's length nor the position of the first difference leaks through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}
