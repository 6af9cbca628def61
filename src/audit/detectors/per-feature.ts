import type { NanoUsd } from '../../lib/money.js';
import type { Usage } from '../../providers/types.js';
import { featureScope, pricedGenerationsPerFeature, totals, type AuditCall } from '../calls.js';
import { fact } from '../stats.js';
import type { AuditContext, Confidence, Detector, DetectorId, Fact, Finding } from '../types.js';

/**
 * What the per-feature token detectors (oversized prompts, output limits) share: the loop
 * over each feature's priced generations that builds a saving finding about one feature,
 * and the p50/p95/max token facts.
 */

/** One feature's priced generation calls (calls.ts pricedGenerationsPerFeature), in time order. */
export type FeatureCalls = ReadonlyArray<AuditCall & { usage: Usage; costNano: NanoUsd }>;

/** The feature a group of calls belongs to (calls.ts featureScope). */
export type FeatureScope = ReturnType<typeof featureScope>;

/**
 * A detector that judges each feature scope with at least `minCalls` priced generation
 * calls on its own: `check` returns that feature's saving (nano-USD over the audited
 * window) with its text, or null when it has none. Each becomes a `saving` finding of
 * detector `id`, scoped to the feature, its evidence summed over all the feature's calls
 * and the saving also per month. Findings come in the features' first-seen order.
 */
export function perFeatureDetector(
  id: DetectorId,
  minCalls: number,
  check: (ctx: AuditContext, calls: FeatureCalls, scope: FeatureScope) => FeatureSaving | null,
): Detector {
  return {
    id,
    run(ctx) {
      return pricedGenerationsPerFeature(ctx.calls, minCalls).flatMap((calls): Finding[] => {
        const scope = featureScope(calls[0]!);
        const found = check(ctx, calls, scope);
        if (found === null) return [];
        return [
          {
            detector: id,
            kind: 'saving',
            title: found.title,
            scope: { [scope.dim]: scope.value },
            evidence: { ...totals(calls), facts: found.facts },
            fix: found.fix,
            savingNano: found.savingNano,
            savingPerMonthNano: ctx.perMonth(found.savingNano),
            confidence: found.confidence,
          },
        ];
      });
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

/** A per-feature detector's saving for one feature: what differs between detectors. */
export interface FeatureSaving {
  /** The saving over the audited window, nano-USD. */
  savingNano: NanoUsd;
  title: string;
  facts: Fact[];
  fix: string;
  confidence: Confidence;
}
