import type { Usage } from '../providers/types.js';
import { PICO_PER_USD_PER_KCOUNT, type Rates } from './rates.js';
import type { PriceEntry } from './resolve.js';

/**
 * OpenAI bills a search of its Responses web search tool by the tool's type and the model
 * (platform.openai.com/docs/pricing#built-in-tools, "Built-in tools", confirmed by OpenAI staff
 * on the developer forum, community.openai.com/t/search-web-using-openai-api/1363698):
 * - `web_search` (`web_search_2025_08_26`), all models: $10 per 1,000 calls + search content
 *   tokens at the model's rates;
 * - `web_search_preview` (`web_search_preview_2025_03_11`) on reasoning models (gpt-5, the
 *   o-series): $10 per 1,000 calls + search content tokens at the model's rates;
 * - `web_search_preview` on non-reasoning models (gpt-4o, gpt-4.1 and their minis): $25 per
 *   1,000 calls, search content tokens free.
 * The catalog lists one fee per model (`web_searches_kcount`, $10 on each of these), which is
 * the GA tool's; the preview fee of non-reasoning models is this module's. Which tool ran a
 * call's searches is Usage.webSearchPreview (the answer's echoed `tools`), stored with the call
 * (calls.web_search_preview) so `prices reprice` applies the same fee again.
 *
 * Search content tokens: whether `usage.input_tokens` of a preview call on a non-reasoning
 * model counts them (which OpenAI then would not bill) is documented nowhere we found (SDK
 * types, PROVIDERS.md); tokens are priced as reported.
 */

/** USD per 1,000 searches of OpenAI's `web_search_preview` tool on a non-reasoning model. */
export const OPENAI_PREVIEW_SEARCH_USD_PER_K = 25;

/**
 * OpenAI's reasoning model families, by catalog model id (dated snapshots resolve to their
 * family's entry; a fine-tune's `ft:` prefix is dropped first): the o-series (o1, o3, o4-mini,
 * their -pro, -mini and -deep-research variants), gpt-5 and every later generation (gpt-5.x,
 * gpt-6…, their -mini, -nano, -pro and -codex variants), and codex-mini. Every other OpenAI
 * model is non-reasoning (gpt-4o, gpt-4.1, their minis and fine-tunes). No catalog field says
 * which models reason, so this list is by name.
 */
const REASONING_FAMILY = /^(?:o\d|gpt-(?:[5-9]|\d{2,})(?:[.-]|$)|codex-mini)/;

/** Whether OpenAI model `modelId` (a catalog id, or a name as called) is a reasoning model, as OpenAI's search pricing tells them apart. */
export function isOpenAiReasoningModel(modelId: string): boolean {
  return REASONING_FAMILY.test(modelId.toLowerCase().replace(/^ft:/, ''));
}

/** What the fee rule reads of a price entry: a PriceEntry, or its PriceDescription. */
type FeeEntry = Pick<PriceEntry, 'source' | 'providerId' | 'modelId'> & { inherited?: { providerId: string | null; modelId: string } | undefined };

/**
 * The OpenAI catalog model whose web search fee `entry` prices searches at: its own id (the
 * catalog's or tokometer's override), or the OpenAI entry's a `prices:` entry takes its search
 * fee from (the config has no field for one); undefined for any other price.
 */
function openAiModelOf(entry: FeeEntry): string | undefined {
  if (entry.inherited !== undefined) return entry.inherited.providerId === 'openai' ? entry.inherited.modelId : undefined;
  return entry.providerId === 'openai' && entry.source !== 'config' ? entry.modelId : undefined;
}

/**
 * The fee per 1,000 searches (USD) a search on the preview tool is billed at for `entry`:
 * OPENAI_PREVIEW_SEARCH_USD_PER_K on a non-reasoning OpenAI model, else `standard` (the
 * entry's own web search fee; null: none). For the budget hold (budget/estimate-prices.ts)
 * and reconcile's split of the search fees (reconcile/run.ts), which must agree with pricing.
 */
export function previewSearchFeePerK(entry: FeeEntry, standard: number | null): number | null {
  const model = openAiModelOf(entry);
  return model === undefined || isOpenAiReasoningModel(model) ? standard : OPENAI_PREVIEW_SEARCH_USD_PER_K;
}

/**
 * The rates a call of `entry` is priced at as to its web searches: `rates` with the web search
 * fee at OPENAI_PREVIEW_SEARCH_USD_PER_K when its searches ran on the preview tool
 * (`usage.webSearchPreview`) of a non-reasoning OpenAI model; null, allocating nothing, when
 * `rates` stand as they are (nearly every call).
 */
export function webSearchToolRates(entry: PriceEntry, rates: Rates, usage: Pick<Usage, 'webSearches' | 'webSearchPreview'>): Rates | null {
  if (usage.webSearchPreview !== true || (usage.webSearches ?? 0) <= 0) return null;
  const model = openAiModelOf(entry);
  if (model === undefined || isOpenAiReasoningModel(model)) return null;
  return { ...rates, webSearch: { base: OPENAI_PREVIEW_SEARCH_USD_PER_K * PICO_PER_USD_PER_KCOUNT, tiers: [] } };
}
