import type { SqlValue } from '../types.js';

/**
 * A piece of SQL with its own positional (`?`) parameters. Queries are built by
 * concatenating fragments in the order their text appears, so parameters stay in order.
 */
export interface Fragment {
  sql: string;
  params: SqlValue[];
}

/** Concatenates fragments (and plain SQL text) with spaces, keeping parameters in text order. */
export function joinFragments(...parts: Array<Fragment | string>): Fragment {
  const sql: string[] = [];
  const params: SqlValue[] = [];
  for (const p of parts) {
    if (typeof p === 'string') sql.push(p);
    else {
      sql.push(p.sql);
      params.push(...p.params);
    }
  }
  return { sql: sql.join(' '), params };
}
