/**
 * Budgets: calendar periods, the pure admission rule, the in-memory ledger of reservations
 * and spend, reservation estimates, the 429 for a blocked call, and alert delivery.
 * The request path uses `estimateCostNano` → `ledger.reserve` → (forward) → `ledger.settle`,
 * wrapped by LedgerGate; BudgetService wires ledger, gate, seeding, alerts and resets.
 */
export { periodWindow, computePeriodWindow, PeriodWindows, type PeriodWindow } from './periods.js';
export { decide, type Decision } from './policy.js';
export { BudgetLedger, Reservation, type BudgetLedgerOptions, type Blocked, type ReserveRequest, type ReserveResult } from './ledger.js';
export { estimateCostNano, usdPerMillionToPicoPerToken, DEFAULT_MAX_OUTPUT_TOKENS, type EstimateInput } from './estimate.js';
export { budgetExceededError, budgetExceededMessage, isoInstant } from './errors.js';
export { AlertNotifier, alertLine, alertPayload, type AlertNotifierOptions, type PostJson } from './alerts.js';
export { AlertBook } from './alert-book.js';
export { EstimatePrices, estimateRatesOf, type EstimateRates, type PriceDescriber } from './estimate-prices.js';
export { LedgerGate, type GateRequest, type GateResult } from './gate.js';
export { seedLedger, resetRef, type SeedSource, type SeedOptions } from './seed.js';
export {
  BudgetService,
  type AlertDelivery,
  type BudgetServiceOptions,
  type BudgetedKey,
  type KeySource,
  type ResetDone,
  type ResetResult,
  type ResetTarget,
} from './service.js';
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
