/**
 * Budgets: calendar periods, the pure admission rule, the in-memory ledger of reservations
 * and spend, admission queues (a call that does not fit beside the calls in flight waits),
 * reservation estimates (with the output history), the 429s for a refused call, and alert
 * delivery. The request path uses `estimateCostNano` → `ledger.reserve` (or `wait`) →
 * (forward) → `ledger.settle`, wrapped by LedgerGate; BudgetService wires ledger, gate,
 * seeding, alerts and resets.
 */
export { periodWindow, computePeriodWindow, PeriodWindows, type PeriodWindow } from './periods.js';
export { decide, type Decision } from './policy.js';
export {
  ABORTED,
  BudgetLedger,
  Reservation,
  type Aborted,
  type BudgetLedgerOptions,
  type Blocked,
  type ReserveRequest,
  type ReserveResult,
  type WaitOptions,
  type WaitResult,
} from './ledger.js';
export { OutputHistory, type OutputMaximum } from './output-history.js';
export { RefusalLog, refusalLine } from './refusal-log.js';
export { estimateCostNano, usdPerMillionToPicoPerToken, DEFAULT_MAX_OUTPUT_TOKENS, type EstimateInput } from './estimate.js';
export { budgetBusyError, budgetExceededError, budgetExceededMessage, budgetRefusal, isoInstant } from './errors.js';
export { AlertNotifier, alertLine, alertPayload, type AlertNotifierOptions, type PostJson } from './alerts.js';
export { AlertBook } from './alert-book.js';
export { EstimatePrices, estimateRatesOf, type EstimateRates, type PriceDescriber } from './estimate-prices.js';
export { LedgerGate, type GateRequest, type GateResult, type LedgerGateOptions } from './gate.js';
export { seedLedger, resetRef, type SeedSource, type SeedOptions } from './seed.js';
export { BudgetService, type AlertDelivery, type BudgetServiceOptions, type BudgetedKey, type KeySource } from './service.js';
export { type ResetDone, type ResetResult, type ResetTarget } from './reset-target.js';
export { fetchPostJson, WEBHOOK_TIMEOUT_MS } from './webhook.js';
export {
  type AlertEvent,
  type BlockInfo,
  type BudgetKind,
  type BudgetRef,
  type BudgetState,
  type SeedCall,
  type SeedSpend,
  type TagBudget,
} from './types.js';
