import type { NanoUsd } from '../../lib/money.js';
import type { Usage } from '../../providers/types.js';
import { featureScope, pricedGenerationsPerFeature, totals, type AuditCall } from '../calls.js';
import { fact } from '../stats.js';
import type { AuditContext, Confidence, Detector, DetectorId, Fact, Finding } from '../types.js';

/**
 * What the per-feature token detectors (oversized prompts, output limits) share: the loop
 * over each feature's priced generations, the p50/p95/max token facts, and the shape of a
 * saving finding about one feature.
 */

/** One feature's priced generation calls (calls.ts pricedGenerationsPerFeature), in time order. */
export type FeatureCalls = ReadonlyArray<AuditCall & { usage: Usage; costNano: NanoUsd }>;

/** The feature a group of calls belongs to (calls.ts featureScope). */
export type FeatureScope = ReturnType<typeof featureScope>;

/**
 * A detector that judges each feature scope with at least `minCalls` priced generation
 * calls on its own: `check` returns that feature's finding, or null when it has none.
 * Findings come in the features' first-seen order.
 */
export function perFeatureDetector(
  id: DetectorId,
  minCalls: number,
  check: (ctx: AuditContext, calls: FeatureCalls, scope: FeatureScope) => Finding | null,
): Detector {
  return {
    id,
    run(ctx) {
      return pricedGenerationsPerFeature(ctx.calls, minCalls).flatMap((calls) => check(ctx, calls, featureScope(calls[0]!)) ?? []);
    },
  };
}

/** The p50, p95 and max of a feature's input or output tokens as facts: `p95_input_tokens` labelled `input p95`, and so on. */
export function tokenSpreadFacts(side: 'input' | 'output', s: { p50: number; p95: number; max: number }): Fact[] {
  return [
    fact.tokens(`p50_${side}_tokens`, `${side} p50`, s.p50),
    fact.tokens(`p95_${side}_tokens`, `${side} p95`, s.p95),
    fact.tokens(`max_${side}_tokens`, `${side} max`, s.max),
  ];
}

/** The parts of a per-feature saving finding that differ between detectors. */
export interface FeatureSavingText {
  title: string;
  facts: Fact[];
  fix: string;
  confidence: Confidence;
}

/**
 * A `saving` finding about one feature's `calls`: scoped to the feature, evidence summed
 * over all of them, `saving` (nano-USD over the audited window) also per month.
 */
export function featureSaving(ctx: AuditContext, detector: DetectorId, calls: FeatureCalls, scope: FeatureScope, saving: NanoUsd, text: FeatureSavingText): Finding {
  return {
    detector,
    kind: 'saving',
    title: text.title,
    scope: { [scope.dim]: scope.value },
    evidence: { ...totals(calls), facts: text.facts },
    fix: text.fix,
    savingNano: saving,
    savingPerMonthNano: ctx.perMonth(saving),
    confidence: text.confidence,
  };
}
