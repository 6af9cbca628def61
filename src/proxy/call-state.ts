import { hashBody } from '../lib/ids.js';
import { estimateTokens } from '../providers/estimate.js';
import { emptyUsage, type Observed, type RequestInfo, type Usage } from '../providers/types.js';
import type { CallOutcome, CallRecord, UsageSource } from '../store/types.js';
import type { TraceHeaders } from '../telemetry/types.js';
import type { ProxyDeps } from './deps.js';

/**
 * Everything learned about one proxied call while it runs. Created when the call
 * arrives, filled in as it progresses, and turned into exactly one CallRecord by
 * `finishCall` (called once, from a `finally`).
 */
export interface CallState {
  /** ms since the epoch when the call arrived. */
  startedAt: number;
  /** performance.now() when the call arrived, for durations. */
  t0: number;
  provider: string;
  keyName: string | null;
  tags: Record<string, string>;
  info: RequestInfo | null;
  body: Uint8Array | null;
  status: number;
  /** performance.now() when the first upstream byte arrived. */
  firstByteAt: number | null;
  observed: Observed | null;
  /** Number of stream frames relayed; a rough output-token estimate when usage never arrives. */
  frames: number;
  /** Whether the response body was JSON we could parse (false = usage unknown). */
  bodyParsed: boolean;
  reservation: unknown;
  error: string | null;
  /** False when the request can never have reached the provider (connection refused, DNS failure). */
  reachedProvider: boolean;
  finished: boolean;
  /** The incoming W3C trace context (for the call's span); null when none was sent. */
  trace: TraceHeaders | null;
  /** Name of the budget that refused the call, if one did. */
  budget: string | null;
}

export function newCallState(provider: string, startedAt: number, t0: number): CallState {
  return {
    startedAt,
    t0,
    provider,
    keyName: null,
    tags: {},
    info: null,
    body: null,
    status: 0,
    firstByteAt: null,
    observed: null,
    frames: 0,
    bodyParsed: true,
    reservation: undefined,
    error: null,
    reachedProvider: true,
    finished: false,
    trace: null,
    budget: null,
  };
}

/** A rough usage for a metered call whose usage never arrived; the row is flagged `estimated`. */
function estimateUsage(state: CallState): Usage {
  const usage = emptyUsage();
  usage.inputTokens = state.body ? estimateTokens(new TextDecoder().decode(state.body)) : 0;
  usage.outputTokens = state.frames;
  return usage;
}

function usageFor(state: CallState, outcome: CallOutcome): { usage: Usage | null; source: UsageSource } {
  const info = state.info;
  if (!info || !info.metered || outcome === 'refused') return { usage: null, source: 'not_metered' };
  const reported = state.observed?.usage ?? null;
  if (reported) return { usage: reported, source: state.observed?.estimated === true ? 'estimated' : 'reported' };
  if (outcome === 'upstream_error' || !state.reachedProvider) return { usage: null, source: 'not_metered' };
  // A body we could not parse is "usage unknown" (cost null). A parsed response or
  // stream that never carried usage still consumed tokens: estimate, flagged as such.
  if (!state.bodyParsed && outcome === 'ok') return { usage: null, source: 'unknown' };
  return { usage: estimateUsage(state), source: 'estimated' };
}

/**
 * Prices, settles the budget reservation and enqueues the record. Idempotent: the
 * first call wins, so `finally` blocks can call it without double counting.
 */
export function finishCall(state: CallState, outcome: CallOutcome, deps: ProxyDeps, now: number): void {
  if (state.finished) return;
  state.finished = true;
  const info = state.info;
  const { usage, source } = usageFor(state, outcome);
  const model = state.observed?.model ?? info?.model ?? null;
  // Unknown usage has an unknown cost: null, never a silent 0.
  let costNano: number | null = source === 'unknown' ? null : 0;
  let priceSource: string | null = null;
  if (usage) {
    const priced = model ? deps.pricer.price(usage, { provider: state.provider, model, at: state.startedAt }) : null;
    if (priced && priced.priced) {
      costNano = priced.costNano;
      priceSource = priced.source;
    } else {
      costNano = null;
    }
  }
  if (state.reservation !== undefined) deps.budgets.settle(state.reservation, costNano ?? 0);
  const latencyMs = now - state.t0;
  const record: CallRecord = {
    ts: state.startedAt,
    keyName: state.keyName,
    provider: state.provider,
    endpoint: info?.endpoint ?? 'other',
    modelRequested: info?.model ?? null,
    model,
    status: state.status,
    outcome,
    streamed: info?.streaming ?? false,
    usage,
    usageSource: source,
    costNano,
    providerCostNano: usage?.providerCostNano ?? null,
    priceSource,
    latencyMs,
    ttfbMs: state.firstByteAt === null ? null : state.firstByteAt - state.t0,
    tags: state.tags,
    requestHash: state.body && state.body.length > 0 ? hashBody(state.body) : null,
    promptBytes: state.body?.length ?? 0,
    maxOutputTokens: info?.maxOutputTokens ?? null,
    error: state.error,
  };
  deps.metrics.observe(record);
  deps.sink(record);
  deps.telemetry?.record({ record, trace: state.trace, responseModel: state.observed?.model ?? null, finishReasons: state.observed?.finishReasons ?? null, budget: state.budget });
}
