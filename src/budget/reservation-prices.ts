import { UNMODIFIED, priceModifier, type Ratio } from '../pricing/modifiers.js';
import { isPriorityTier } from '../pricing/service-tiers.js';
import type { BillingConditions } from '../providers/types.js';
import type { EstimateRates } from './estimate-prices.js';

/**
 * The prices a budget reservation holds one request at (gate.ts LedgerGate estimateAt): the
 * token rates (pico-USD per token), the price modifier (a ratio of integers) and the most
 * per-use search fees (uses × pico-USD per use) that estimateCostNano (estimate.ts) turns
 * into nano-USD. Invariant: each is at least what the call is billed for what the request
 * itself asks (priority, fast mode, US-only inference, its `max_tool_calls`); a discount it
 * asks for (flex) is not taken, and what the provider chooses (a project's default tier, a
 * workspace's default `inference_geo`) is not known here: the settle prices it. Pure
 * functions of the request and the model's EstimateRates: no state, no I/O.
 */

/**
 * The search fees a request may run up, as estimateCostNano takes them: at most `maxUses`
 * uses at `pricePerUsePico` each (undefined: unknown model, the fallback fee). Only a
 * Responses request allows file searches, and its `max_tool_calls` bounds all its built-in
 * tool calls together: when it has both a web and a file search tool, maxWebSearches and
 * maxFileSearches are that one bound (RequestInfo), so it is reserved once, at the dearer of
 * the two fees. N calls split between the kinds in any way cost at most N × the dearer fee;
 * reserving N at each fee would hold up to twice what the call can spend ($0.0125 instead
 * of $0.01 per allowed call on gpt-4o) and refuse calls that fit. A request that offers
 * OpenAI's `web_search_preview` tool holds its web searches at the preview fee
 * (`webSearchPreviewPicoPerUse`: $25 per 1,000 on a non-reasoning model), the fee the pricer
 * bills them at (pricing/web-search-fees.ts).
 */
export function searchFeeBound(
  req: { maxWebSearches?: number | undefined; maxFileSearches?: number | undefined; webSearchPreview?: boolean | undefined },
  rates: Pick<EstimateRates, 'webSearchPicoPerUse' | 'webSearchPreviewPicoPerUse' | 'fileSearchPicoPerUse'>,
): { maxUses: number; pricePerUsePico: number | undefined } {
  const web = req.maxWebSearches ?? 0;
  const file = req.maxFileSearches ?? 0;
  // A request offering OpenAI's preview tool: its fee ($25 per 1,000 on gpt-4o-mini), which the settle prices its searches at.
  const w = req.webSearchPreview === true ? (rates.webSearchPreviewPicoPerUse ?? rates.webSearchPicoPerUse) : rates.webSearchPicoPerUse;
  if (file <= 0) return { maxUses: web, pricePerUsePico: w };
  if (web <= 0) return { maxUses: file, pricePerUsePico: rates.fileSearchPicoPerUse };
  const f = rates.fileSearchPicoPerUse;
  return { maxUses: Math.max(web, file), pricePerUsePico: w === undefined || f === undefined ? undefined : Math.max(w, f) };
}

/**
 * The price modifier a reservation holds for (pricing/modifiers.ts): what the request asks
 * for on the model's price entry, when it raises the price (fast mode 6× on claude-opus-4-6,
 * US-only 1.1×). A discount the request asks for (OpenAI flex, half price) is not taken: the
 * estimate stays at the standard price, an upper bound whatever tier serves the call. A
 * modifier the request leaves to the provider (a workspace's default `inference_geo`) is not
 * known here either; the real cost is settled when the answer says.
 */
export function reservationModifier(rates: Pick<EstimateRates, 'priceEntry'>, billing: BillingConditions | undefined): Ratio {
  if (billing === undefined || rates.priceEntry === undefined) return UNMODIFIED;
  const m = priceModifier(rates.priceEntry.providerId, rates.priceEntry.modelId, billing);
  return m.numerator > m.denominator ? m : UNMODIFIED;
}

/**
 * The token rates a reservation prices the request at: the model's (`rates`), or, for a
 * request that asks for OpenAI priority in its body (`service_tier` `priority` or its alias
 * `fast`) on a model with a priority price, its priority rates (EstimateRates.priority).
 * `auto` and an unset tier run on the project's default tier, which tokometer cannot see:
 * reserved at the standard price, like `default`; `flex` (half price) too.
 */
export function reservationRates(rates: EstimateRates, billing: BillingConditions | undefined): EstimateRates {
  const priority = rates.priority;
  if (priority === undefined || !isPriorityTier(billing?.serviceTier)) return rates;
  return { ...rates, ...priority };
}

/**
 * The price a reservation holds each page of a document at, pico-USD (estimateCostNano's
 * `pricePerPagePico`): the model's page price, or for a request that asks for annotations the
 * dearer of it and the annotated page price, since an annotated page is billed at the one
 * instead of the other (pricing/compute.ts; 0 annotated: none, billed at the page price).
 * mistral-ocr-2512 annotated: max(2e9, 3e9) = 3e9. Undefined when the model has no page price
 * (no model, one the catalog does not know, one not priced per page: the pricer records such
 * pages unpriced), which estimateCostNano holds at FALLBACK_PICO_PER_PAGE.
 */
export function pagePriceBound(rates: Pick<EstimateRates, 'pagePico'>, annotated: boolean): number | undefined {
  const p = rates.pagePico;
  if (p === undefined) return undefined;
  return annotated ? Math.max(p.page, p.annotated) : p.page;
}
