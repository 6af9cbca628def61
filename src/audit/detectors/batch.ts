import { NONE, type WhereClause } from '../../report/types.js';
import { featureScope, groupBy, totals, type AuditCall } from '../calls.js';
import { fact, int } from '../stats.js';
import type { Detector, Finding } from '../types.js';

/**
 * Batch candidates: latency-tolerant traffic a provider's batch API would serve at a
 * discount (results within 24 h instead of seconds).
 *
 * Which traffic: with `--batch-tag k=v` (repeatable, all must match; k may be a tag or
 * model/provider/key/endpoint), the calls the user named; without it, calls whose work tag
 * (WORK_TAGS: feature, job, task…) or key name looks offline (BATCH_NAME_RE: batch, backfill,
 * nightly, offline, cron, etl, eval, bulk, digest, scheduled). Eligible calls: answered,
 * NOT streamed (a stream means someone is waiting), priced, on a provider of
 * BATCH_DISCOUNT_PERCENT, not already on a discounted service tier (batch, flex).
 *
 * Saving per (feature, provider) = round(Σ stored cost × discount / 100). Fires at
 * ≥ 1 eligible call for named traffic and ≥ MIN_HEURISTIC_CALLS for the name heuristic.
 */

/**
 * Batch discounts, percent off the regular per-token price, as the providers publish them:
 * OpenAI Batch API (`/v1/batches`, 24 h window) 50%; Anthropic Message Batches API 50%;
 * Gemini API Batch Mode 50%. Other providers: no batch discount assumed.
 */
export const BATCH_DISCOUNT_PERCENT: Readonly<Record<string, number>> = { openai: 50, anthropic: 50, gemini: 50 };
export const BATCH_NAME_RE = /(batch|backfill|nightly|offline|cron|etl|eval|bulk|digest|scheduled)/i;
export const MIN_HEURISTIC_CALLS = 10;
const DISCOUNTED_TIERS = new Set(['batch', 'flex']);

export const batch: Detector = {
  id: 'batch',
  run(ctx) {
    const named = ctx.batchTags.length > 0;
    const selected = ctx.calls.filter((c) => (named ? ctx.batchTags.every((w) => matches(c, w)) : looksOffline(c)));
    const findings: Finding[] = [];
    for (const list of groupBy(selected, (c) => JSON.stringify([...Object.values(featureScope(c)), c.provider])).values()) {
      const first = list[0]!;
      const discount = BATCH_DISCOUNT_PERCENT[first.provider];
      if (discount === undefined) continue;
      const eligible = list.filter(
        (c) => c.outcome === 'ok' && !c.streamed && (c.costNano ?? 0) > 0 && !DISCOUNTED_TIERS.has(c.usage?.serviceTier ?? ''),
      );
      if (eligible.length < (named ? 1 : MIN_HEURISTIC_CALLS)) continue;
      const t = totals(eligible);
      const saving = Math.round((t.costNano * discount) / 100);
      if (saving <= 0) continue;
      const scope = featureScope(first);
      const streamed = list.filter((c) => c.streamed).length;
      const how = named
        ? `you named it with --batch-tag ${ctx.batchTags.map((w) => `${w.key}${w.op}${w.value}`).join(' ')}`
        : `its name suggests offline work`;
      findings.push({
        detector: 'batch',
        kind: 'saving',
        title: `${scope.value}: ${int(eligible.length)} non-streaming calls could use the ${first.provider} batch API (−${discount}%)`,
        scope: { [scope.dim]: scope.value, provider: first.provider },
        evidence: {
          ...t,
          facts: [
            fact.count('eligible_calls', 'answered, non-streaming calls', eligible.length),
            fact.count('streamed_calls_excluded', 'streamed calls left out', streamed),
            fact.share('batch_discount', 'batch discount', discount / 100),
          ],
        },
        fix:
          `Queue ${scope.dim} ${scope.value}'s requests and submit them through the ${first.provider} batch API (results within 24 h at ${discount}% off); ` +
          `this traffic was picked because ${how}.`,
        savingNano: saving,
        savingPerMonthNano: ctx.perMonth(saving),
        confidence: named
          ? { level: 'high', reason: `You marked this traffic as latency-tolerant; the discount is the provider's published batch price.` }
          : { level: 'low', reason: 'Picked by name only: confirm nobody waits for these answers before moving them to a batch.' },
      });
    }
    return findings;
  },
};

/** The value a `--batch-tag` clause compares: a built-in column or a tag (`(none)` when absent). */
function valueOf(c: AuditCall, key: string): string {
  switch (key) {
    case 'model':
      return c.model;
    case 'provider':
      return c.provider;
    case 'key':
      return c.keyName ?? NONE;
    case 'endpoint':
      return c.endpoint;
    default:
      return c.tags[key] ?? NONE;
  }
}

function matches(c: AuditCall, w: WhereClause): boolean {
  return (valueOf(c, w.key) === w.value) === (w.op === '=');
}

/** Tags whose values describe the kind of work (user, tenant and session ids never do). */
const WORK_TAGS = ['feature', 'job', 'task', 'mode', 'workload', 'source'];

function looksOffline(c: AuditCall): boolean {
  return WORK_TAGS.some((t) => BATCH_NAME_RE.test(c.tags[t] ?? '')) || (c.keyName !== null && BATCH_NAME_RE.test(c.keyName));
}
