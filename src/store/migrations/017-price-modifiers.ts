import type { Migration } from './types.js';

/**
 * Schema v17: the Anthropic conditions that multiply a call's price (pricing/modifiers.ts),
 * kept so a reprice (`prices reprice`, store/reprice.ts) prices the call again exactly as
 * the proxy did. Text as the provider reported it; NULL when it reported none (and for every
 * call written before v17, which was priced at the list price):
 *
 * - `inference_geo`: where inference ran (`usage.inference_geo`: `global`, `us`); US-only
 *   is billed 1.1× on Opus 4.6, Sonnet 4.6 and later.
 * - `speed`: the inference speed (`usage.speed`: `standard`, `fast`); fast mode is billed at
 *   a per-model multiple of the standard rates.
 *
 * OpenAI's flex processing needs no column: `service_tier` is stored since v1.
 * PostgreSQL's counterpart is pg/migrations/012-price-modifiers.ts.
 */
export const priceModifiers: Migration = {
  version: 17,
  name: 'price-modifiers',
  up: `
    ALTER TABLE calls ADD COLUMN inference_geo TEXT;
    ALTER TABLE calls ADD COLUMN speed TEXT;
  `,
};
