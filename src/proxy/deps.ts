import type { GateRequest, GateResult } from '../budget/gate.js';
import type { Clock } from '../lib/clock.js';
import type { NanoUsd } from '../lib/money.js';
import type { Pricer } from '../pricing/pricer.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { ResolvedKey } from './auth.js';
import type { BackgroundWatch } from './background-watch.js';
import type { CachedContentSizes } from './cached-content-sizes.js';
import type { ContextMemory } from './context-memory.js';
import type { DepartedCalls } from './departed-calls.js';
import type { RunningStreams } from './running-streams.js';
import type { FinishedCalls } from './finished-calls.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { TagsDroppedNotice } from './tags-dropped.js';
import type { UncostedOnBudgetNotice } from './uncosted-on-budget.js';
import type { IncomingCall, OutgoingResponse, UpstreamClient } from './types.js';

/** What the budget layer needs to know about a call before it is forwarded (defined by the budget layer). */
export type BudgetRequest = GateRequest;

/**
 * Reserves an estimate before forwarding and settles the real cost afterwards; `R` is the
 * gate's own reservation type, handed back to `settle` exactly as `reserve` returned it.
 *
 * `reserve` answers synchronously when it can decide at once (the common case: no promise
 * hop on the request path), or with a promise when the call has to wait for room; a wait
 * ended by `signal` (the client left) answers `{ ok: false, aborted: true }` and holds
 * nothing.
 */
export interface BudgetGate<R> {
  reserve(req: BudgetRequest, signal: AbortSignal): GateResult<R> | Promise<GateResult<R>>;
  /**
   * Releases the reservation and charges what was really used (0 for unknown); the
   * provider-reported output tokens (null when not reported) refine later estimates. Idempotent.
   */
  settle(reservation: R, actualCostNano: NanoUsd, outputTokens?: number | null): void;
  /**
   * Output tokens a call of `model` by `keyName` is expected to run to when it sets no
   * maximum: the figure the reservation estimate uses (the largest output of that key and
   * model lately, else a default). Absent: no such figure.
   */
  expectedOutputTokens?(keyName: string | null, model: string, at: number): number;
  /**
   * Shutdown: calls waiting for room (and later calls that would wait) are refused with a
   * retryable error instead of being admitted and sent during the grace period. Absent: the
   * gate never makes calls wait.
   */
  endWaits?(): void;
}

/** A gate with no budgets: every call is allowed and holds nothing. */
export const NO_BUDGETS: BudgetGate<undefined> = {
  reserve: () => ({ ok: true, reservation: undefined }),
  settle: () => {},
};

export interface KeyLookup {
  /** The key for a secret from the table in memory, or null. */
  resolve(secret: string): ResolvedKey | null;
  /**
   * As `resolve`, but a miss first looks at the store once more (coalesced, proxy/auth.ts
   * KeyResolver.resolveFresh), so a key created a moment ago by another process is found.
   * Absent (test fakes): `resolve` alone decides.
   */
  resolveFresh?(secret: string): Promise<ResolvedKey | null>;
}

/** Handles `/admin/*`; absent when no admin token is configured. */
export type AdminHandler = (call: IncomingCall, path: string, query: string) => Promise<OutgoingResponse>;

/** Everything the proxy handler depends on; built once by `serve` (or by a test, with fakes). */
export interface ProxyDeps<R> {
  providers: ReadonlyMap<string, ProviderRuntime>;
  keys: KeyLookup;
  upstream: UpstreamClient;
  /**
   * Prices a finished call's usage; `priced: false` = unknown model, recorded as null cost (never 0).
   * `describe` gives a model's context window, which bounds an answer counted from its bytes
   * (answer-bytes.ts); absent (test fakes): no window is known.
   */
  pricer: Pick<Pricer, 'price'> & Partial<Pick<Pricer, 'describe'>>;
  budgets: BudgetGate<R>;
  /** Where every finished call is announced (record writer, metrics, telemetry). Listeners must not block. */
  finished: FinishedCalls;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  tagsOnInvalid: 'reject' | 'drop';
  /** Counts and warns about the headers `tagsOnInvalid: 'drop'` drops; absent: they are dropped silently (serve always sets it). */
  tagsDropped?: TagsDroppedNotice;
  /** Warns when a call with cost null (unpriced, or usage unknown) settles $0 against a hard budget (once per reason, key and model); absent: silent (serve always sets it). */
  uncostedOnBudget?: UncostedOnBudgetNotice;
  admin?: AdminHandler;
  /** Why calls must be refused right now (503), or null to serve them. */
  refusal?: () => string | null;
  /** The body of `GET /healthz`: `{status: 'ok'}` or details of a degraded state. */
  health?: () => Record<string, unknown>;
  /** Meters background responses when they end; absent = such a call is recorded at once with its estimate. */
  background?: BackgroundWatch;
  /** Non-streamed calls whose client left, still reading their answer, which shutdown cuts at its grace period's end; absent = nothing cuts them but the provider's timeouts. */
  departed?: DepartedCalls;
  /** Streams being relayed, which shutdown ends with an error frame at its grace period's end; absent = the server cuts them bare. */
  streams?: RunningStreams;
  /** Tokens of conversations a request may continue, for its budget estimate; absent = none reserved. */
  contexts?: ContextMemory;
  /** Tokens of the Gemini explicit caches requests read, for their budget estimate; absent = none reserved. */
  cachedContents?: CachedContentSizes;
  /** True once the shutdown's grace period has ended (or a second signal cut it short): a call that fails from then on was cut by the shutdown. Absent: never. */
  graceOver?: () => boolean;
}
