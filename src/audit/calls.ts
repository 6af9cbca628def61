import type { NanoUsd } from '../lib/money.js';
import type { Usage } from '../providers/types.js';
import { untokenedUnit } from '../domain/billing-units.js';
import { NONE } from '../report/types.js';
import { byUnpricedOrder, type UnpricedModel } from '../store/read/report/types.js';
import type { StoredCall } from '../store/types.js';
import { isUnpriced } from '../store/unpriced.js';

/**
 * The calls an audit looks at, read once from the store (store/read/calls.ts, with the
 * report's scope rules: time range and `--where`) and shared by every detector, plus the
 * small helpers the detectors share.
 */

/** One stored call, as the detectors need it. Money in nano-USD, times in ms. */
export type AuditCall = StoredCall;

/** Embedding endpoints (`embeddings`, `embed`, `embedContent`, `batchEmbedContents`). */
export function isEmbedding(call: AuditCall): boolean {
  return /embed/i.test(call.endpoint);
}

/**
 * Calls whose output is not generated text: images (`images.generations`, `images.edits`,
 * `images.variations`: tokens by size and quality, no max_tokens cuts them) and OCR (`ocr`:
 * billed per page). The generation detectors leave them out, as they do embeddings.
 */
export function isNonTextOutput(call: AuditCall): boolean {
  return call.endpoint.startsWith('images.') || call.endpoint === 'ocr';
}

/** A call that produced text and was billed: answered, usage known, priced; not an embedding, image or OCR call. */
export function isPricedGeneration(call: AuditCall): call is AuditCall & { usage: Usage; costNano: NanoUsd } {
  return call.outcome === 'ok' && call.usage !== null && call.costNano !== null && !isEmbedding(call) && !isNonTextOutput(call) && call.endpoint !== 'other';
}

/** Tag that names the product feature a call belongs to. */
export const FEATURE_TAG = 'feature';

/**
 * The scope a per-feature detector groups by: the `feature` tag, or for untagged calls
 * the metering key (`{key: name}`), or `{feature: '(none)'}` when neither is known.
 */
export function featureScope(call: AuditCall): { dim: 'feature' | 'key'; value: string } {
  const feature = call.tags[FEATURE_TAG];
  if (feature !== undefined) return { dim: 'feature', value: feature };
  if (call.keyName !== null) return { dim: 'key', value: call.keyName };
  return { dim: 'feature', value: NONE };
}

/**
 * The priced generation calls (isPricedGeneration) of each feature scope (featureScope)
 * that has at least `minCalls` of them, in first-seen order: what the per-feature token
 * detectors (oversized prompts, output limits) look at.
 */
export function pricedGenerationsPerFeature(calls: readonly AuditCall[], minCalls: number): Array<Array<AuditCall & { usage: Usage; costNano: NanoUsd }>> {
  const groups = groupBy(calls.filter(isPricedGeneration), (c) => JSON.stringify(Object.values(featureScope(c))));
  return [...groups.values()].filter((list) => list.length >= minCalls);
}

/** Groups items by a string key, keeping first-seen order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    if (k === null) continue;
    let list = out.get(k);
    if (list === undefined) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}

/**
 * Sums of the evidence fields over calls (unknown usage counts 0 tokens; a call without a
 * cost adds nothing to costNano and is left out of pricedCalls).
 */
export function totals(calls: readonly AuditCall[]): { calls: number; costNano: NanoUsd; pricedCalls: number; inputTokens: number; outputTokens: number } {
  let costNano = 0;
  let pricedCalls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const c of calls) {
    costNano += c.costNano ?? 0;
    if (c.costNano !== null) pricedCalls++;
    inputTokens += c.usage?.inputTokens ?? 0;
    outputTokens += c.usage?.outputTokens ?? 0;
  }
  return { calls: calls.length, costNano, pricedCalls, inputTokens, outputTokens };
}

/**
 * The unpriced calls (store/unpriced.ts) per model and provider, most first, as report lists
 * what its spend leaves out: speechWithoutTokens when some are speech recorded without tokens
 * (billed per character, domain/billing-units.ts), which no price under `prices:` counts.
 */
export function unpricedModels(calls: readonly AuditCall[]): UnpricedModel[] {
  return [...groupBy(calls.filter(isUnpriced), (c) => JSON.stringify([c.provider, c.model])).values()]
    .map((list): UnpricedModel => {
      const speech = list.some((c) => untokenedUnit(c.endpoint, c.usage?.inputTokens ?? 0, c.usage?.outputTokens ?? 0) === 'character');
      return { model: list[0]!.model, provider: list[0]!.provider, calls: list.length, ...(speech ? { speechWithoutTokens: true as const } : {}) };
    })
    .sort(byUnpricedOrder);
}
