import type { BillingConditions } from '../providers/types.js';
import { catalogProviderId } from './catalog.js';
import type { PriceSource } from './types.js';

/**
 * Price modifiers: how a provider multiplies a model's list price for the way a call ran
 * (Anthropic's US-only inference and fast mode, OpenAI's flex processing). The condition
 * comes from the answer's usage (`usage.inference_geo`, `usage.speed`, `service_tier`),
 * stored with the call so a reprice applies it again (store/call-row.ts).
 *
 * A multiplier is an exact ratio of small integers. pricing/compute.ts multiplies the exact
 * pico-USD cost of the call's token dimensions (and each such breakdown dimension) by it
 * BEFORE the one rounding to nano-USD, never the rounded total; the per-use web and file
 * search fees are never multiplied (every source prices tokens only). Modifiers stack:
 * US-only fast mode is 1.1 × 6 (Anthropic fast mode guide: "Fast mode pricing stacks with
 * other pricing modifiers").
 *
 * Keyed by the provider that billed the call (`billingProviderId`) and the matched price
 * entry's model id (pricing/resolve.ts), so a model sold by a host other than the first party
 * (Groq's `service_tier: "flex"` is billed at its on-demand price) is never modified.
 */

/** An exact multiplier `numerator / denominator`, both positive safe integers. */
export interface Ratio {
  numerator: number;
  denominator: number;
}

/** The list price, unchanged. */
export const UNMODIFIED: Ratio = Object.freeze({ numerator: 1, denominator: 1 });

/**
 * US-only inference (`inference_geo: "us"`): 1.1× every token price (input, cache writes and
 * reads, output) on Claude Opus 4.6, Sonnet 4.6 and every later model. Source: Anthropic,
 * "Enable US-only inference for your organization" (support.claude.com, 15422948): "billed
 * at 1.1x standard API rates for Claude Opus 4.6, Claude Sonnet 4.6, and later models …
 * Requests on Claude Opus 4.5, Claude Sonnet 4.5, Claude Haiku 4.5, or earlier models are
 * billed at the standard rate"; Claude Platform on AWS data residency: "A 1.1x pricing
 * multiplier applies". Since later models get it, the table lists the models billed at the
 * standard rate (catalog ids of the pinned catalog, genai-prices): a model not listed is 1.1×.
 */
const US_ONLY: Ratio = Object.freeze({ numerator: 11, denominator: 10 });
const BEFORE_US_ONLY_PRICING: ReadonlySet<string> = new Set([
  'claude-v1', 'claude-2', 'claude-3-haiku', 'claude-3-sonnet', 'claude-3-opus-latest',
  'claude-3-5-haiku-latest', 'claude-3-5-sonnet', 'claude-3-7-sonnet-latest', 'claude-sonnet-4-0', 'claude-opus-4-0',
  'claude-opus-4-1', 'claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5',
]);

/** A trailing snapshot date, `-YYYYMMDD` (claude-sonnet-4-5-20250929). */
const SNAPSHOT_DATE = /-\d{8}$/;

/** `modelId` without its trailing snapshot date, if it has one. */
function withoutSnapshotDate(modelId: string): string {
  return modelId.replace(SNAPSHOT_DATE, '');
}

/**
 * Whether Anthropic bills `modelId` at the standard rate under US-only inference. A dated
 * snapshot id (a `prices:` entry named as the API answers, claude-3-opus-20240229) is looked
 * up by the catalog id of its model: without the date (claude-sonnet-4-5), as its `-latest`
 * alias (claude-3-opus-latest) or as its `-0` id (claude-sonnet-4-0).
 */
function billedBeforeUsOnlyPricing(modelId: string): boolean {
  if (BEFORE_US_ONLY_PRICING.has(modelId)) return true;
  if (!SNAPSHOT_DATE.test(modelId)) return false;
  const model = withoutSnapshotDate(modelId);
  return BEFORE_US_ONLY_PRICING.has(model) || BEFORE_US_ONLY_PRICING.has(`${model}-latest`) || BEFORE_US_ONLY_PRICING.has(`${model}-0`);
}

/**
 * Fast mode (`speed: "fast"`): a per-model multiple of the standard rates "across the full
 * context window", prompt-caching multipliers on top (Anthropic fast mode guide,
 * platform.claude.com/docs/en/build-with-claude/fast-mode). Only the models whose fast
 * price was found are listed; fast mode on any other model (Opus 5.5, Fable 5.2, Mythos 5.2
 * and later: no published multiplier found) is priced at the standard rate, a lower bound
 * of the bill (docs/prices.md "Not priced today").
 * - claude-opus-4-6: 6× ($30 / $150 per 1M against $5 / $25; the fast mode guide's table).
 * - claude-opus-4-7: 6× ($30 / $150; Claude Code fast mode docs: Opus 4.7 fast mode existed
 *   until 2026-07-24; the price from third parties: octavus.ai "Opus 4.7 / 4.6 ~6x standard").
 * - claude-opus-4-8: 2× ($10 / $50 against $5 / $25; Anthropic pricing page as quoted at
 *   release, dev.to "Claude API Cheatsheet 2026": "separately priced from the older Opus
 *   4.6/4.7 fast mode ($30/$150)").
 * - claude-opus-5: 2× ($10 / $50 against $5 / $25; OpenRouter anthropic/claude-opus-5-fast:
 *   "2x pricing relative to regular Opus 5").
 */
const FAST_MODE: Readonly<Record<string, Ratio>> = {
  'claude-opus-4-6': Object.freeze({ numerator: 6, denominator: 1 }),
  'claude-opus-4-7': Object.freeze({ numerator: 6, denominator: 1 }),
  'claude-opus-4-8': Object.freeze({ numerator: 2, denominator: 1 }),
  'claude-opus-5': Object.freeze({ numerator: 2, denominator: 1 }),
};

/**
 * Flex processing (`service_tier: "flex"`): half the standard price on every token. Source:
 * OpenAI flex processing guide (developers.openai.com/api/docs/guides/flex-processing):
 * "Tokens are priced at Batch API rates", and the Batch API is a 50% discount. Flex runs
 * only on the models that support it (others are refused, never served at standard speed),
 * so an answer that reports `flex` is billed at half whatever the model. Priority has its own
 * per-model prices, not a uniform multiple: pricing/service-tiers.ts.
 */
const FLEX: Ratio = Object.freeze({ numerator: 1, denominator: 2 });

/**
 * The catalog provider id whose modifiers apply to a call priced by `entry` through tokometer
 * provider `through`. A catalog or override entry: its own provider (the one it was matched
 * under). A `prices:` entry: the provider the call went through (its catalog id; null through
 * a custom provider, whose entry stands alone), whatever the entry's `provider:` field says:
 * an entry sets the list price, the provider still bills fast mode, US-only or flex on top of
 * it. An entry without `provider:` has no provider of its own, and keying on it dropped every
 * modifier (a fast-mode call settled at a sixth of its bill).
 */
export function billingProviderId(entry: { source: PriceSource; providerId: string | null }, through: string): string | null {
  return entry.source === 'config' ? (catalogProviderId(through) ?? null) : entry.providerId;
}

/**
 * The multiplier of the list price of `modelId` (the matched price entry's id) of catalog
 * provider `providerId` for a call that ran under `conditions`. UNMODIFIED when none applies.
 */
export function priceModifier(providerId: string | null, modelId: string, conditions: BillingConditions): Ratio {
  if (providerId === 'openai') return conditions.serviceTier === 'flex' ? FLEX : UNMODIFIED;
  if (providerId !== 'anthropic') return UNMODIFIED;
  let ratio = UNMODIFIED;
  if (conditions.inferenceGeo === 'us' && !billedBeforeUsOnlyPricing(modelId)) ratio = times(ratio, US_ONLY);
  const fast = conditions.speed === 'fast' ? FAST_MODE[modelId] ?? FAST_MODE[withoutSnapshotDate(modelId)] : undefined;
  if (fast !== undefined) ratio = times(ratio, fast);
  return ratio;
}

/** The product of two ratios (not reduced; every factor is small). */
export function times(a: Ratio, b: Ratio): Ratio {
  return { numerator: a.numerator * b.numerator, denominator: a.denominator * b.denominator };
}

/** Whether `r` changes nothing. */
export function isUnmodified(r: Ratio): boolean {
  return r.numerator === r.denominator;
}
