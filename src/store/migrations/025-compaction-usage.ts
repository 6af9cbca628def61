import type { Migration } from './types.js';

/**
 * Schema v25: `calls.compaction_usage`, the sampling steps of a call's own model that are
 * billed as requests of their own (Anthropic server-side compaction: `usage.iterations`
 * entries of type `compaction`), kept so a reprice (`prices reprice`, store/reprice.ts) and
 * the audit price each step on its own long-context tier again, as the proxy did
 * (pricing/compaction-steps.ts). JSON text, one object per step, in order, with its counts
 * (store/call-row.ts stepColumn):
 * `[{"inputTokens":150000,"outputTokens":3000,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]`.
 * The call's own token columns INCLUDE these counts (reports show the whole call). NULL when
 * the call ran none, and for every call written before v25: those were priced by the sum of
 * their steps, and a reprice prices them so still (the steps were not kept).
 *
 * PostgreSQL's counterpart is pg/migrations/020-compaction-usage.ts.
 */
export const compactionUsage: Migration = {
  version: 25,
  name: 'compaction-usage',
  up: `
    ALTER TABLE calls ADD COLUMN compaction_usage TEXT;
  `,
};
