import type { WhereClause } from '../store/read/dimensions.js';
import type { Reach } from '../store/reached.js';

/**
 * Which calls a report counts: by default only those that reached the provider
 * (store/reached.ts); a `--where outcome…` filter says otherwise and then every call it
 * keeps counts (`--where outcome=refused` shows the refused ones).
 */
export function defaultReach(where: readonly WhereClause[]): Reach | undefined {
  return where.some((w) => w.key === 'outcome') ? undefined : 'reached';
}

/** The rule in a few words, for footers and notes. */
export const REACHED_RULE = 'counts cover calls that reached the provider';
