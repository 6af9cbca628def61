/**
 * Compares strings by their UTF-8 bytes: the order of SQLite's BINARY collation (and of
 * PostgreSQL's "C" collation), so rankings made in JavaScript break ties exactly as the
 * same ranking in SQL does.
 */
export function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
