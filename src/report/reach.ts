import type { WhereClause } from '../store/read/dimensions.js';
import type { Reach } from '../store/reached.js';

/**
 * Which calls a report counts: by default only those the provider served
 * (store/reached.ts); a `--where outcome…` or `--where status…` filter says otherwise and
 * then every call it keeps counts (`--where outcome=refused` shows the refused ones,
 * `--where status=429` the calls answered 429, by the provider or by a budget).
 */
export function defaultReach(where: readonly WhereClause[]): Reach | undefined {
  return where.some((w) => w.key === 'outcome' || w.key === 'status') ? undefined : 'reached';
}

/** The rule in a few words, for footers and notes. */
export const REACHED_RULE = 'counts cover calls the provider served';
