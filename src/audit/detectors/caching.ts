import { type PromptCaching, builtinProvider } from '../../providers/builtins.js';
import type { Usage } from '../../providers/types.js';
import { featureScope, groupBy, isPricedGeneration, totals, type AuditCall } from '../calls.js';
import { repeats, sameRequestKey } from '../repeats.js';
import { MINUTE_MS, fact, int, ratio, repricedSaving } from '../stats.js';
import type { AuditContext, Detector, Finding } from '../types.js';

/**
 * Caching, two findings per feature:
 *
 * Exact cache — the answered, non-embedding calls that repeat an earlier identical request
 * (same key, provider and request hash) outside retry storms (see repeats.ts). Fires at
 * ≥ MIN_REPEATS repeats. Saving = Σ stored cost of those repeats (a cache that keeps
 * answers for the whole window would have served them for free).
 *
 * Prompt caching — conversations re-sending their history without provider caching.
 * tokometer sees prompt sizes, not text, so it uses the one structure it can see: calls
 * carrying a session tag (SESSION_TAGS), taken per (feature, provider, model), leaving out
 * exact repeats and retry-storm calls (claimed above and by waste). A conversation's
 * prompt grows from turn to turn (it carries the history), while independent jobs in one
 * session (documents, files) grow only about half the time; so the group must be
 * conversational: ≥ MIN_PAIRS consecutive same-session pairs, ≥ MIN_GROWTH_SHARE of them
 * with input[k] ≥ input[k−1]. A cacheable turn is a grown turn k that starts
 * ≤ CACHE_TTL_MS after turn k−1 (the providers' default cache lifetime) and whose prefix,
 * turn k−1's whole prompt, is ≥ MIN_PREFIX_TOKENS (the providers' minimum cacheable
 * prompt). Counterfactual per call: prefix tokens not already cached become cache reads,
 * and the previous turn writes them to the cache (at the model's cache-write price: 1.25×
 * input on Anthropic, the input price where there is no write price). Fires for a group
 * whose cached share of input tokens is < LOW_CACHE_SHARE with ≥ MIN_TURNS cacheable
 * turns. Saving = Σ price(actual) − price(counterfactual), from the price catalog. The
 * cached share is that of the calls the finding covers: the exact repeats of the group
 * (whose whole prompt a provider may well serve from its cache) are left out, and the
 * finding says how many and their cached tokens (title and facts), since `report` counts them.
 */

export const MIN_REPEATS = 5;
export const SESSION_TAGS = ['session_id', 'conversation_id', 'thread_id'] as const;
export const CACHE_TTL_MS = 5 * MINUTE_MS;
export const MIN_PREFIX_TOKENS = 1024;
export const LOW_CACHE_SHARE = 0.1;
export const MIN_TURNS = 10;
export const MIN_GROWTH_SHARE = 0.7;
export const MIN_PAIRS = 20;

export const caching: Detector = {
  id: 'caching',
  run(ctx) {
    return [...exactCache(ctx), ...promptCaching(ctx)];
  },
};

function exactCache(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const answered = groupBy(ctx.calls.filter((c) => c.outcome === 'ok'), (c) => JSON.stringify(Object.values(featureScope(c))));
  for (const [key, list] of groupBy(repeats(ctx).exactRepeats, (c) => JSON.stringify(Object.values(featureScope(c))))) {
    if (list.length < MIN_REPEATS) continue;
    const t = totals(list);
    if (t.costNano <= 0) continue;
    const scope = featureScope(list[0]!);
    const all = answered.get(key)?.length ?? list.length;
    const distinct = new Set(list.map(sameRequestKey)).size;
    out.push({
      detector: 'caching',
      kind: 'saving',
      title: `${scope.value}: ${int(list.length)} identical requests answered again`,
      scope: { [scope.dim]: scope.value },
      evidence: {
        ...t,
        facts: [
          fact.count('repeated_calls', 'repeats of an earlier identical request', list.length),
          fact.count('distinct_requests', 'distinct requests repeated', distinct),
          fact.share('repeat_share', `share of the ${scope.dim}'s answered calls`, ratio(list.length, all)),
        ],
      },
      fix:
        `Cache ${scope.dim} ${scope.value}'s answers keyed by the request (model, messages, parameters): ${int(list.length)} of its ` +
        `${int(all)} answered calls repeated an earlier identical request. An LRU or Redis cache with a TTL that fits how fresh answers must be.`,
      savingNano: t.costNano,
      savingPerMonthNano: ctx.perMonth(t.costNano),
      confidence: {
        level: 'medium',
        reason: 'Byte-identical request bodies; a cache changes behaviour only where the feature wants a fresh answer each time (sampling, regenerate).',
      },
    });
  }
  return out;
}

type Priced = AuditCall & { usage: Usage; costNano: number };

function sessionOf(c: AuditCall): string | null {
  for (const tag of SESSION_TAGS) {
    const v = c.tags[tag];
    if (v !== undefined) return `${tag}=${v}`;
  }
  return null;
}

function promptCaching(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  // Exact repeats and retry storms are claimed by the exact cache and by waste.
  const { exactRepeats, inStorm } = repeats(ctx);
  const claimed = new Set(exactRepeats.map((c) => c.id));
  const own = ctx.calls.filter(isPricedGeneration).filter((c) => !claimed.has(c.id) && !inStorm.has(c.id));
  const groupKey = (c: AuditCall) => JSON.stringify([...Object.values(featureScope(c)), c.provider, c.model]);
  const groups = groupBy(own, groupKey);
  const leftOut = groupBy(exactRepeats.filter(isPricedGeneration), groupKey);
  for (const [key, calls] of groups) {
    const input = calls.reduce((s, c) => s + c.usage.inputTokens, 0);
    const cached = calls.reduce((s, c) => s + c.usage.cacheReadTokens, 0);
    if (ratio(cached, input) >= LOW_CACHE_SHARE) continue;
    const plan = planCaching(calls);
    if (plan.turns < MIN_TURNS || plan.pairs < MIN_PAIRS || ratio(plan.grownPairs, plan.pairs) < MIN_GROWTH_SHARE) continue;
    let saving = 0;
    for (const [c, extra] of plan.extra) {
      saving += repricedSaving(ctx, c, { ...c.usage, cacheReadTokens: c.usage.cacheReadTokens + extra.read, cacheWrite5mTokens: c.usage.cacheWrite5mTokens + extra.write });
    }
    if (saving <= 0) continue;
    const first = calls[0]!;
    const scope = featureScope(first);
    const repeatsLeft = leftOut.get(key) ?? [];
    const leftNote = repeatsLeft.length === 0 ? '' : `; ${int(repeatsLeft.length)} identical repeat${repeatsLeft.length === 1 ? '' : 's'} left out`;
    out.push({
      detector: 'caching',
      kind: 'saving',
      title: `${scope.value}: conversation history re-sent at full price (${Math.round(ratio(cached, input) * 100)}% cached${leftNote})`,
      scope: { [scope.dim]: scope.value, provider: first.provider, model: first.model },
      evidence: {
        ...totals(calls),
        facts: [
          fact.share('cached_input_share', 'cached share of input tokens', ratio(cached, input)),
          fact.count('sessions', 'sessions', plan.sessions),
          fact.share('growing_turn_share', 'turns whose prompt grew', ratio(plan.grownPairs, plan.pairs)),
          fact.count('cacheable_turns', `grown turns ≤ ${CACHE_TTL_MS / MINUTE_MS} min after the previous one`, plan.turns),
          fact.tokens('cacheable_prefix_tokens', 'prefix tokens that could be cache reads', plan.readTokens),
          ...leftOutFacts(repeatsLeft),
        ],
      },
      fix: `${promptCachingHow(first.provider)} ${int(plan.turns)} turns of ${int(plan.sessions)} sessions re-sent ${int(plan.readTokens)} prefix tokens at the full input price.`,
      savingNano: saving,
      savingPerMonthNano: ctx.perMonth(saving),
      confidence: {
        level: 'low',
        reason: "tokometer sees prompt sizes, not text: assumes each turn's prompt starts with the previous turn's prompt, as chat clients send it.",
      },
    });
  }
  return out;
}

/** The exact repeats a prompt-caching finding left out (the exact cache claims them), and their cached input tokens; none when it left out none. */
function leftOutFacts(left: readonly Priced[]) {
  if (left.length === 0) return [];
  const cachedTokens = left.reduce((s, c) => s + c.usage.cacheReadTokens, 0);
  return [
    fact.count('left_out_repeats', 'identical repeats left out (not in the shares above)', left.length),
    fact.tokens('left_out_repeat_cached_tokens', 'cached input tokens of those repeats', cachedTokens),
  ];
}

interface CachePlan {
  sessions: number;
  /** Consecutive same-session pairs, and those whose input did not shrink. */
  pairs: number;
  grownPairs: number;
  /** Cacheable turns (see the file doc). */
  turns: number;
  readTokens: number;
  /** Extra cache-read and cache-write (5 min) tokens per call in the counterfactual. */
  extra: Map<Priced, { read: number; write: number }>;
}

/** The counterfactual of the file doc, per session (calls are in time order). */
function planCaching(calls: readonly Priced[]): CachePlan {
  const plan: CachePlan = { sessions: 0, pairs: 0, grownPairs: 0, turns: 0, readTokens: 0, extra: new Map() };
  const extraOf = (c: Priced) => {
    let e = plan.extra.get(c);
    if (e === undefined) plan.extra.set(c, (e = { read: 0, write: 0 }));
    return e;
  };
  const free = (c: Priced) => {
    const e = plan.extra.get(c);
    const u = c.usage;
    return u.inputTokens - u.cacheReadTokens - u.cacheWrite5mTokens - u.cacheWrite1hTokens - (e ? e.read + e.write : 0);
  };
  for (const session of groupBy(calls, sessionOf).values()) {
    plan.sessions += 1;
    for (let k = 1; k < session.length; k++) {
      const prev = session[k - 1]!;
      const cur = session[k]!;
      plan.pairs += 1;
      if (cur.usage.inputTokens < prev.usage.inputTokens) continue;
      plan.grownPairs += 1;
      const prefix = prev.usage.inputTokens;
      if (cur.ts - prev.ts > CACHE_TTL_MS || prefix < MIN_PREFIX_TOKENS) continue;
      const read = Math.max(0, Math.min(prefix - cur.usage.cacheReadTokens - cur.usage.cacheWrite5mTokens - cur.usage.cacheWrite1hTokens, free(cur)));
      if (read === 0) continue;
      plan.turns += 1;
      plan.readTokens += read;
      extraOf(cur).read += read;
      const prevCached = prev.usage.cacheReadTokens + prev.usage.cacheWrite5mTokens + prev.usage.cacheWrite1hTokens + (plan.extra.get(prev)?.read ?? 0);
      const write = Math.max(0, Math.min(prefix - prevCached, free(prev)));
      if (write > 0) extraOf(prev).write += write;
    }
  }
  return plan;
}

/** The advice per way of caching (providers/builtins.ts `promptCaching`). */
const HOW_TO_CACHE: Readonly<Record<PromptCaching, string>> = {
  marked: 'Mark the system prompt and the conversation so far with cache_control breakpoints (Anthropic caches only marked prefixes).',
  implicit: 'Keep the shared prefix identical across turns for implicit caching, or create a cachedContent for long fixed context.',
  automatic:
    "Keep each prompt's prefix byte-identical across turns (system prompt and tools first, history next, nothing per-call at the top) so the provider's automatic prompt caching applies.",
};

/** Advice for a provider name: its built-in way of caching; providers that are not built in get the automatic one. */
function promptCachingHow(provider: string): string {
  return HOW_TO_CACHE[builtinProvider(provider)?.promptCaching ?? 'automatic'];
}
