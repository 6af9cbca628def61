import type { ProxyError } from '../lib/errors.js';
import type { NanoUsd } from '../lib/money.js';
import { budgetExceededError } from './errors.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, estimateCostNano } from './estimate.js';
import type { EstimatePrices } from './estimate-prices.js';
import type { BudgetLedger, Reservation } from './ledger.js';

/** What the gate reads from the proxy's budget request (proxy/deps.ts `BudgetRequest`). */
export interface GateRequest {
  keyName: string | null;
  /** Effective tags (fixed key tags already applied). */
  tags: Readonly<Record<string, string>>;
  provider: string;
  model: string | null;
  /** Request body size in bytes. */
  promptBytes: number;
  /** Client's max output tokens; null when unset. */
  maxOutputTokens: number | null;
  /** ms since the epoch. */
  at: number;
}

/** A gate's decision: the reservation to settle later, or the refusal to send. */
export type GateDecision<R> = { ok: true; reservation: R } | { ok: false; error: ProxyError };

/** A gate's answer: its decision or, for a call that waited for room, the client left while waiting (nothing is held). */
export type GateResult<R> = GateDecision<R> | { ok: false; aborted: true };

/**
 * The proxy's BudgetGate on top of the in-memory ledger. `reserve` estimates the call
 * (prompt bytes and max output tokens at the model's dearest cached prices, see
 * estimate.ts) and holds the estimate on every budget the call counts against, or answers
 * the 429 of the budget that blocks it. `settle` swaps the hold for the real cost.
 * Both are synchronous and never touch storage; the price lookup is a Map hit after the
 * first call of a model.
 */
export class LedgerGate {
  constructor(
    private readonly ledger: BudgetLedger,
    private readonly prices: EstimatePrices,
    /** Output tokens assumed when the client sets no maximum. */
    private readonly defaultMaxOutput: number = DEFAULT_MAX_OUTPUT_TOKENS,
  ) {}

  /**
   * The estimate `reserve` holds for this request, nano-USD. A call without a model (model
   * lists, files, …) is never priced (recorded at 0), so it holds nothing; it is still
   * refused once a budget is exhausted.
   */
  estimate(req: GateRequest): NanoUsd {
    if (req.model === null) return 0;
    const rates = this.prices.get(req.provider, req.model, req.at);
    return estimateCostNano({
      promptBytes: req.promptBytes,
      maxOutputTokens: req.maxOutputTokens,
      inputPricePerTokenPico: rates.inputPicoPerToken,
      outputPricePerTokenPico: rates.outputPicoPerToken,
      defaultMaxOutput: this.defaultMaxOutput,
    });
  }

  reserve(req: GateRequest): GateDecision<Reservation> {
    const result = this.ledger.reserve({ keyName: req.keyName, tags: req.tags, estimateNano: this.estimate(req) });
    if (result.ok) return { ok: true, reservation: result };
    return { ok: false, error: budgetExceededError(result.blocked) };
  }

  /** Releases the hold and charges `actualCostNano` (0 for unknown). Idempotent. */
  settle(reservation: Reservation, actualCostNano: NanoUsd): void {
    this.ledger.settle(reservation, actualCostNano);
  }
}
