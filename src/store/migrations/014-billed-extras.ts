import type { Migration } from './types.js';

/**
 * Schema v14: the usage counts that some models bill apart, kept so a reprice
 * (`prices reprice`, store/reprice.ts) prices a call again exactly as the proxy did.
 * All NULL when the provider reported none (and for every call written before v14):
 *
 * - `cache_audio_read_tokens`: audio tokens among the cache reads (Gemini
 *   `cacheTokensDetails`), a subset of both cached_input_tokens and input_audio_tokens.
 * - `output_image_tokens`: image tokens among the output tokens (Gemini image models,
 *   $30 per 1M against $2.50 for text on gemini-2.5-flash-image).
 * - `web_searches`: searches billed per use (Anthropic `server_tool_use`, OpenAI
 *   Responses `web_search_call` items), a count, not tokens.
 *
 * PostgreSQL's counterpart is pg/migrations/007-billed-extras.ts.
 */
export const billedExtras: Migration = {
  version: 14,
  name: 'billed-extras',
  up: `
    ALTER TABLE calls ADD COLUMN cache_audio_read_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN output_image_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN web_searches INTEGER;
  `,
};
