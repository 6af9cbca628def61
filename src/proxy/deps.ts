import type { GateRequest, GateResult } from '../budget/gate.js';
import type { Clock } from '../lib/clock.js';
import type { NanoUsd } from '../lib/money.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { Usage } from '../providers/types.js';
import type { CallRecord } from '../store/types.js';
import type { CallTelemetry } from '../telemetry/types.js';
import type { ResolvedKey } from './auth.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { IncomingCall, OutgoingResponse, UpstreamClient } from './types.js';

/** Prices a call's usage; `priced: false` means unknown model (recorded as null cost, never 0). */
export interface Pricer {
  price(usage: Usage, ctx: { provider: string; model: string; at: number }): { priced: true; costNano: NanoUsd; source: string } | { priced: false };
}

/** What the budget layer needs to know about a call before it is forwarded (defined by the budget layer). */
export type BudgetRequest = GateRequest;

/**
 * Reserves an estimate before forwarding and settles the real cost afterwards.
 * `reserve` is synchronous and in-memory (a few microseconds, never a query).
 */
export interface BudgetGate {
  reserve(req: BudgetRequest): GateResult;
  /** Releases the reservation and charges what was really used (0 for unknown). Idempotent. */
  settle(reservation: unknown, actualCostNano: NanoUsd): void;
}

/** A gate with no budgets: every call is allowed. */
export const NO_BUDGETS: BudgetGate = {
  reserve: () => ({ ok: true, reservation: undefined }),
  settle: () => {},
};

export interface KeyLookup {
  resolve(secret: string): ResolvedKey | null;
}

/** Handles `/admin/*`; absent when no admin token is configured. */
export type AdminHandler = (call: IncomingCall, path: string, query: string) => Promise<OutgoingResponse>;

/** Everything the proxy handler depends on; built once by `serve`. */
export interface ProxyDeps {
  providers: ReadonlyMap<string, ProviderRuntime>;
  keys: KeyLookup;
  upstream: UpstreamClient;
  pricer: Pricer;
  budgets: BudgetGate;
  /** Receives every finished call record (the write queue's enqueue). Must not block. */
  sink: (record: CallRecord) => void;
  /** OpenTelemetry export of every finished call; absent when export is not configured. */
  telemetry?: CallTelemetry;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  tagsOnInvalid: 'reject' | 'drop';
  admin?: AdminHandler;
  /** Why calls must be refused right now (503), or null to serve them. */
  refusal?: () => string | null;
  /** The body of `GET /healthz`: `{status: 'ok'}` or details of a degraded state. */
  health?: () => Record<string, unknown>;
}
