import type { Usage } from '../../src/providers/types.js';

/** A Usage with zeros for everything not given. */
export function usage(u: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, ...u };
}

/** A fixed "now" for tests that must not drift with the wall clock: 2026-11-27 12:00 UTC. */
export const NOW = Date.parse('2026-11-27T12:00:00Z');
