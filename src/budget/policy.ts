import type { NanoUsd } from '../lib/money.js';

/**
 * The outcome of a budget check for one call against one budget: `allow` (start now),
 * `wait` (it does not fit only because of calls in flight: wait for them to settle, then
 * decide again) or `block` (the cap is spent: refuse until the period resets).
 */
export type Decision = 'allow' | 'wait' | 'block';

/**
 * Admission rule for one call against one hard budget. Pure, allocation-free, O(1).
 * All amounts are non-negative integer nano-USD within the budget's current period:
 *
 * - `spentNano`: settled real cost of calls started in this period;
 * - `reservedNano`: sum of the estimates of calls admitted in this period and not yet settled;
 * - `limitNano`: the cap;
 * - `estimateNano`: this call's estimated cost (see estimate.ts).
 *
 * Rule:
 * 1. `spent >= limit`                         → block (the cap is reached; also any $0 budget).
 * 2. `reserved == 0`                          → allow (nothing in flight: admit even an estimate
 *                                               larger than the remainder, so one big call can
 *                                               never deadlock a budget that still has room).
 * 3. `spent + reserved + estimate <= limit`   → allow (fits beside the calls in flight).
 * 4. otherwise                                → wait (only the calls in flight stand in the way).
 *
 * Rule 4 never refuses: the caller waits (admission.ts: in arrival order per budget, bounded
 * by `budget_admission_wait_ms`) and is decided again each time a call on the budget
 * settles. Once every call in flight has settled, rule 2 or rule 1 applies, so a wait
 * always ends in `allow` or in a refusal for a spent cap. Hence a refusal for the budget
 * (`budget_exceeded`) is only ever true: no call is refused while `spent + estimate <= limit`
 * with nothing else in flight. A wait that runs out is answered `budget_busy` (retry soon),
 * never as a spent cap.
 *
 * Invariant (the SPEC §5 guarantee). If every call's real cost is at most its estimate,
 * then for any interleaving of reserve/wait/settle/cancel, the final settled spend S of a
 * period obeys
 *     S < limit + r*    where r* is the real cost of a single call.
 * Proof sketch: take the last call admitted in the period (admitted at once or after a
 * wait: either way by this rule, applied to the counters at the moment of admission; a
 * wait only moves that moment later, and a cancelled waiter holds nothing). If it was
 * admitted by rule 3, spent + reserved <= limit right after, and settling only replaces
 * estimates by smaller real costs, so S <= limit. If it was admitted by rule 2, nothing
 * else was in flight: every earlier call had settled into `spent < limit`, so
 * S = spent + r_last < limit + r_last.
 *
 * Why the tighter estimates keep it (issue #14 point 3). The hypothesis is per call:
 * real <= estimate. The input side is unchanged (prompt bytes / 4 at the dearest input
 * price). The output side is the client's `max_tokens` when set (a hard cap the provider
 * enforces); else the largest output that key has had from that model in the last 7
 * days, in calls that set no max either (output-history.ts); else, before any such
 * answer, the model's context window from the catalog (for nearly every model a hard cap:
 * prompt and output together never exceed it; the catalog's figure is sometimes the input
 * limit alone, e.g. gemini-2.5-flash-tts at 8,192 where ~16,000 audio tokens may come out);
 * else, for a model the catalog gives no window, 1,024 tokens, a guess. (The catalog
 * carries no maximum output, so it offers no smaller cap.)
 * The history is no hard cap either: without `max_tokens` a model may answer up to its
 * context window. So for such calls the hypothesis reads "no call outputs more than its key
 * has seen from that model this week", which the history only makes more accurate: it
 * grows at the settle of every call that outputs more (before the admission decisions
 * that settle triggers), and it is never lower than any output inside its window. The
 * proof above uses nothing else about estimates, so the bound holds whenever the
 * hypothesis does, exactly as before. Where that is not enough, `budget_output_hold: window`
 * (output-hold.ts) holds the context window for every such call, never the history, so the
 * hypothesis is again a hard cap on output (and an Anthropic request with `web_search` or
 * `web_fetch` holds its input up to the window too); such calls on a small budget then run one
 * at a time (rule 2). A key's first calls on a model hold its whole
 * window, so on a small budget they run one at a time (rule 2) until the first answer
 * teaches the history, and callers behind such a call on a shared budget wait for it
 * (admission.ts: arrival order) when it does not fit beside the calls in flight. Before,
 * a flat 1,024 let a first burst of 100 calls answering 3,000 tokens each spend 2.45× a
 * $0.05 cap (test/budget/first-burst-overshoot.test.ts).
 *
 * When estimates undershoot (real > estimate), the bound degrades gracefully to
 *     S < limit + max(r_last, Σ over calls settled after the last admission of (real − estimate)⁺)
 * and no admission rule can do better without serialising calls: two calls admitted
 * together can each cost arbitrarily more than estimated. Hence estimates are meant to
 * be upper bounds (max output tokens, conservative fallback prices).
 */
export function decide(spentNano: NanoUsd, reservedNano: NanoUsd, limitNano: NanoUsd, estimateNano: NanoUsd): Decision {
  if (spentNano >= limitNano) return 'block';
  if (reservedNano <= 0) return 'allow';
  return spentNano + reservedNano + estimateNano <= limitNano ? 'allow' : 'wait';
}
