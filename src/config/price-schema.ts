import { z } from 'zod';

/**
 * One `prices:` entry of the config (a model's price, USD per 1M tokens), with its optional
 * long-context `tiers:`. The pricer reads it as pricing/types.ts ConfiguredPrice
 * (pricing/config-prices.ts loadConfigPrices). Prices are per kind: a price the entry sets
 * holds at every prompt size unless a tier gives it another; a price it leaves unset is the
 * catalog's for the model, the catalog's long-context tiers included (docs/prices.md "A
 * `prices:` entry and the catalog").
 */

const usdPerMtok = z.number().nonnegative();

/** The prices a tier may set, each a price the entry sets below the threshold too; what an unset one is billed at instead, for the message. */
const TIER_PRICES = {
  input: 'input takes',
  output: 'output takes',
  cached_input: 'cache reads take',
  cache_write: 'cache writes take',
  cache_write_1h: '1-hour cache writes take',
} as const;
type TierPrice = keyof typeof TIER_PRICES;

/**
 * A long-context tier, in the catalog's terms (`{base, tiers: [{start, price}]}` per price) as
 * one row per threshold: the prices it sets apply to every token of their kind in a call whose
 * total input tokens (cache included) are above `above_input_tokens`; a price it leaves out
 * keeps the one below it.
 */
const priceTierSchema = z.strictObject({
  above_input_tokens: z.number().int('expected a whole number of input tokens').positive('expected a number of input tokens above 0'),
  input: usdPerMtok.optional(),
  output: usdPerMtok.optional(),
  cached_input: usdPerMtok.optional(),
  cache_write: usdPerMtok.optional(),
  cache_write_1h: usdPerMtok.optional(),
});

export const priceOverrideSchema = z
  .strictObject({
    provider: z.string().optional(),
    /** USD per 1M tokens. */
    input: usdPerMtok,
    /** USD per 1M tokens. Unset: the catalog's for the model, else 0 (pricing/resolve.ts configEntry). */
    output: usdPerMtok.optional(),
    /** USD per 1M cached input tokens (cache reads). Unset cache prices are the catalog's for the model (pricing/resolve.ts configEntry). */
    cached_input: usdPerMtok.optional(),
    /** USD per 1M tokens written to a 5-minute cache. */
    cache_write: usdPerMtok.optional(),
    /** USD per 1M tokens written to a 1-hour cache. */
    cache_write_1h: usdPerMtok.optional(),
    /** USD per hour of input audio, for a model billed by duration (whisper-1). Unset: the catalog's for the model. */
    audio_hour: usdPerMtok.optional(),
    /** Long-context prices, ascending by `above_input_tokens`; each sets only prices the entry sets. */
    tiers: z.array(priceTierSchema).optional(),
  })
  .superRefine((entry, ctx) => {
    let before: number | undefined;
    for (const [i, tier] of (entry.tiers ?? []).entries()) {
      const above = tier.above_input_tokens;
      const tokens = above.toLocaleString('en-US');
      if (before !== undefined && above <= before) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'above_input_tokens'], message: `${above} is not above the tier before it (${before}); list the tiers by ascending above_input_tokens` });
      }
      before = above;
      const set = (Object.keys(TIER_PRICES) as TierPrice[]).filter((k) => tier[k] !== undefined);
      if (set.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i], message: `sets no price; give it input, output, cached_input, cache_write or cache_write_1h for prompts above ${tokens} input tokens, or remove it` });
      }
      for (const k of set) {
        if (entry[k] !== undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, k],
          message: `the entry sets no ${k} for prompts up to ${tokens} input tokens; set ${k} beside input too, or leave it out of the tier (unset, ${TIER_PRICES[k]} the catalog's price, long-context included)`,
        });
      }
    }
  });
