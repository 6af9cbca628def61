import type { Migration } from './types.js';

/**
 * Schema v22: `calls.input_image_tokens`, the image tokens among a call's input tokens
 * (Usage.inputImageTokens: OpenAI Images `usage.input_tokens_details.image_tokens`, the
 * images an edit uploads; Gemini's uncached `promptTokensDetails` IMAGE), a subset of
 * input_tokens and never cached ones. Kept so a reprice (`prices reprice`, store/reprice.ts)
 * prices them again at the model's image input price (`input_image_mtok`: $10 per 1M against
 * $5 for text on gpt-image-1) as the proxy did. NULL when the provider reported none, and for
 * every call written before v22 (those were priced with their image tokens as text).
 *
 * PostgreSQL's counterpart is pg/migrations/017-input-image-tokens.ts.
 */
export const inputImageTokens: Migration = {
  version: 22,
  name: 'input-image-tokens',
  up: `
    ALTER TABLE calls ADD COLUMN input_image_tokens INTEGER;
  `,
};
