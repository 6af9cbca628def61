import type { BillingConditions } from '../providers/types.js';
import { toPico, type Rate, type Rates } from './rates.js';
import { tierNote } from './price-notes.js';
import type { PriceEntry } from './resolve.js';

/**
 * OpenAI priority processing: a call served on the priority tier is billed at the model's own
 * priority prices, which are no uniform multiple of its standard ones (gpt-4o 1.7×, gpt-5.4
 * 2×, o3 1.75×), so they are a table here rather than a modifier (pricing/modifiers.ts).
 *
 * Which calls: the answer's `service_tier` (stored with the call, so `prices reprice` and the
 * audit, which price through the same pricer, apply it again) is `priority`. OpenAI's
 * reference accepts `service_tier=fast` as a request alias, "The response will show
 * service_tier=priority regardless"; an answer reporting `fast` is taken as priority too.
 * Only OpenAI's own prices (the matched entry's provider, or the catalog entry a `prices:`
 * entry inherits from, is `openai`): Mistral and Anthropic also report a `priority` tier,
 * which is not this one.
 *
 * The price: the table's, for input, cached input and output; every other dimension (web
 * and file search fees) stays at the entry's. Flat: the source lists no long-context
 * priority price ("excludes long context": requests estimated at over 128K prompt tokens
 * are served on standard, and the answer then says so). A model the table does not list,
 * and every `prices:` entry (it wins over all, and has no field for a priority price), is
 * priced at the standard rate, a lower bound, with a note the record keeps.
 */

/** USD per 1M tokens. `cachedInput` null: the source lists none (cached input at `input`). */
interface PriorityPrice {
  input: number;
  cachedInput: number | null;
  output: number;
}

/**
 * Priority prices per catalog model id (the entry a model name resolves to, dated snapshots
 * and aliases included: `gpt-5` also prices `gpt-5-codex`, `gpt-5.1` `gpt-5.1-codex`, both
 * listed at the same price). Source: OpenAI, "Priority Processing for API Customers",
 * https://openai.com/api-priority-processing/ (read 2026-12-06), USD per 1M tokens; the
 * GPT-4o row covers gpt-4o-2024-11-20 and gpt-4o-2024-08-06, the catalog's `gpt-4o` entry;
 * gpt-4o-2024-05-13 has no cached price ("—"; it has no cache discount at standard either).
 */
const OPENAI_PRIORITY: ReadonlyMap<string, PriorityPrice> = new Map(Object.entries({
  'gpt-5.5': { input: 12.5, cachedInput: 1.25, output: 75 },
  'gpt-5.4-mini': { input: 1.5, cachedInput: 0.15, output: 9 },
  'gpt-5.4': { input: 5, cachedInput: 0.5, output: 30 },
  'gpt-5.2': { input: 3.5, cachedInput: 0.35, output: 28 },
  'gpt-5.1': { input: 2.5, cachedInput: 0.25, output: 20 },
  'gpt-5': { input: 2.5, cachedInput: 0.25, output: 20 },
  'gpt-5-mini': { input: 0.45, cachedInput: 0.045, output: 3.6 },
  'gpt-4.1': { input: 3.5, cachedInput: 0.875, output: 14 },
  'gpt-4.1-mini': { input: 0.7, cachedInput: 0.175, output: 2.8 },
  'gpt-4.1-nano': { input: 0.2, cachedInput: 0.05, output: 0.8 },
  'gpt-4o': { input: 4.25, cachedInput: 2.125, output: 17 },
  'gpt-4o-2024-05-13': { input: 8.75, cachedInput: null, output: 26.25 },
  'gpt-4o-mini': { input: 0.25, cachedInput: 0.125, output: 1 },
  o3: { input: 3.5, cachedInput: 0.875, output: 14 },
  'o4-mini': { input: 2, cachedInput: 0.5, output: 8 },
} satisfies Record<string, PriorityPrice>));

/** `service_tier` values of an OpenAI call on priority: what an answer served on it reports, and what a request asks for it with (`fast`, the alias). */
const PRIORITY_TIERS: ReadonlySet<string> = new Set(['priority', 'fast']);

/** Whether `serviceTier` (an answer's, or a request's: RequestInfo.billing) is OpenAI priority. */
export function isPriorityTier(serviceTier: string | undefined): boolean {
  return serviceTier !== undefined && PRIORITY_TIERS.has(serviceTier);
}

/**
 * OpenAI tiers billed above the standard price whose price is not published: `ultrafast`
 * (OpenAI's API reference: "the access-controlled Ultrafast Processing service tier …
 * available for gpt-5.6-sol; a response served through it will show
 * service_tier=ultrafast"). Priced at the standard rate, with the lower-bound note.
 */
const UNPRICED_TIERS: ReadonlySet<string> = new Set(['ultrafast']);

/** The rates a call is priced at, and what the cost leaves out when it is a lower bound. */
export interface TierRates {
  rates: Rates;
  note?: string;
}

/** What the tier rules read of a price entry: a PriceEntry, or its PriceDescription. */
type TierPricedEntry = Pick<PriceEntry, 'source' | 'providerId' | 'modelId'> & { inherited?: { providerId: string | null } | undefined };

/** Whether `entry` is an OpenAI price (its own, or the catalog entry a `prices:` entry inherits from): the only one these tiers apply to. */
function isOpenAiPrice(entry: TierPricedEntry): boolean {
  return entry.providerId === 'openai' || entry.inherited?.providerId === 'openai';
}

/** The priority price of `entry`, when the table has one it applies to (never a `prices:` entry). */
function priorityPriceOf(entry: TierPricedEntry): PriorityPrice | undefined {
  return isOpenAiPrice(entry) && entry.source !== 'config' ? OPENAI_PRIORITY.get(entry.modelId) : undefined;
}

/**
 * The priority input and output prices (USD per 1M) a call of `entry` served on priority is
 * billed at, as serviceTierRates prices it; null when it is billed at the standard rate (no
 * priority price known, not an OpenAI price). For the budget reservation of a request that
 * asks for priority (budget/estimate-prices.ts).
 */
export function priorityPrices(entry: TierPricedEntry): { input: number; output: number } | null {
  const priority = priorityPriceOf(entry);
  return priority === undefined ? null : { input: priority.input, output: priority.output };
}

/** A flat rate of `usdPerMtok`. */
function flat(usdPerMtok: number): Rate {
  return { base: toPico(usdPerMtok), tiers: [] };
}

/**
 * The rates of `entry` (standard `rates`, the version valid at the call's time) for a call
 * that ran under `conditions`: the OpenAI priority prices when the call was served on
 * priority and the table has the model, else `rates` with a note when it was served on
 * priority or on an unpriced tier such as ultrafast (a lower bound). Null, allocating
 * nothing, when the call is priced at `rates` as they are with no note (nearly every call).
 */
export function serviceTierRates(entry: PriceEntry, rates: Rates, conditions: BillingConditions): TierRates | null {
  const tier = conditions.serviceTier;
  if (tier === undefined) return null;
  const isPriority = PRIORITY_TIERS.has(tier);
  if (!isPriority && !UNPRICED_TIERS.has(tier)) return null;
  if (!isOpenAiPrice(entry)) return null;
  const priority = isPriority ? priorityPriceOf(entry) : undefined;
  if (priority === undefined) {
    return { rates, note: tierNote(isPriority ? 'priority' : tier, entry.modelId, entry.source === 'config') };
  }
  const withPriority: Rates = { ...rates, input: flat(priority.input), output: flat(priority.output) };
  if (priority.cachedInput === null) delete withPriority.cacheRead;
  else withPriority.cacheRead = flat(priority.cachedInput);
  return { rates: withPriority };
}
