import type { Migration } from './types.js';

/**
 * Schema v19: `calls.advisor_usage`, the sub-inferences a call ran on other models and is
 * billed for at their rates (Anthropic's advisor tool: `usage.iterations` entries of type
 * `advisor_message`), kept so a reprice (`prices reprice`, store/reprice.ts) and the audit
 * price the call again exactly as the proxy did. JSON text, one object per consultation,
 * in order, with its counts (store/call-row.ts advisorColumn):
 * `[{"model":"claude-opus-4-6","inputTokens":9000,"outputTokens":1500,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]`.
 * NULL when the call ran none (and for every call written before v19, which was priced
 * without them). The call's own token columns never include these counts.
 *
 * PostgreSQL's counterpart is pg/migrations/014-advisor-usage.ts.
 */
export const advisorUsage: Migration = {
  version: 19,
  name: 'advisor-usage',
  up: `
    ALTER TABLE calls ADD COLUMN advisor_usage TEXT;
  `,
};
