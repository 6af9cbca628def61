import { formatMoney } from '../../report/format/text.js';
import { fact, int } from '../stats.js';
import type { Detector } from '../types.js';

/**
 * Unmetered traffic: the last `tokometer reconcile` of a provider found usage on the
 * provider's own bill that never went through tokometer (more requests than the meter
 * counted, or for Anthropic, which reports no request counts, more input tokens). Budgets,
 * reports and this audit miss that spend. One notice per provider whose newest run found
 * some; a later clean run clears it. Reads the stored run outcomes from the context (the
 * runner is given them), never the calls.
 */

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const unmeteredTraffic: Detector = {
  id: 'unmetered-traffic',
  run(ctx) {
    return ctx.reconcileRuns
      .filter((r) => r.unmeteredRows > 0)
      .map((r) => {
        const requests = r.unmeteredRequests === null ? 'usage' : `${int(r.unmeteredRequests)} requests`;
        const window = `--since ${day(r.since)} --until ${day(r.until - 1)}`;
        return {
          detector: 'unmetered-traffic' as const,
          kind: 'notice' as const,
          title: `${r.provider}: ${requests} (${formatMoney(r.unmeteredNano)}) reached the provider without going through tokometer`,
          scope: { provider: r.provider },
          evidence: {
            calls: r.unmeteredRequests ?? 0,
            costNano: r.unmeteredNano,
            // Billed minus metered, from the provider's bill: a figure.
            pricedCalls: r.unmeteredRequests ?? 0,
            // The stored run keeps no token counts (reconcile shows them), nor requests when the provider reports none.
            inputTokens: 0,
            outputTokens: 0,
            unknown: r.unmeteredRequests === null ? ['calls', 'tokens'] : ['tokens'],
            facts: [
              fact.time('reconciled_at', 'reconciled at', r.ranAt),
              fact.count('unmetered_rows', 'days × models with unmetered traffic', r.unmeteredRows),
              fact.usd('billed_usd', 'billed in the reconciled window', r.billNano),
              fact.usd('metered_usd', 'metered in the reconciled window', r.meterNano),
            ],
          },
          fix:
            `Something calls ${r.provider} with a provider key directly, so budgets and reports miss it. Point every client's base URL at ` +
            `tokometer (${r.provider.split(',').map((p) => `/proxy/${p}`).join(' or ')}) and rotate provider keys handed out before; ` +
            `tokometer reconcile --provider ${r.provider} ${window} shows the days and models.`,
          savingNano: 0,
          savingPerMonthNano: 0,
          confidence:
            r.unmeteredRequests === null
              ? { level: 'medium' as const, reason: "Estimated from input tokens: the provider's report has no request counts." }
              : { level: 'high' as const, reason: "The provider's own usage report counted more requests than the meter on those days." },
        };
      });
  },
};
