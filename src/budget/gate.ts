import type { ProxyError } from '../lib/errors.js';
import type { NanoUsd } from '../lib/money.js';
import type { FallbackBound } from '../providers/types.js';
import type { GateRequest } from './gate-request.js';
import { type ConsultationSeries, consultationSeries } from './advisor-consultations.js';
import { budgetRefusal, type OutputHold, shuttingDownError } from './errors.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, estimateCostNano } from './estimate.js';
import { cacheReadRate, type EstimatePrices, type EstimateRates } from './estimate-prices.js';
import type { BudgetLedger, Reservation, ReserveRequest, WaitResult } from './ledger.js';
import { OutputHistory } from './output-history.js';
import { heldOutput, heldUnseenInput, type OutputHoldMode, referencedHeld } from './output-hold.js';
import { RefusalLog } from './refusal-log.js';
import { pagePriceBound, reservationModifier, reservationRates, searchFeeBound } from './reservation-prices.js';
import type { BlockInfo } from './types.js';

export type { GateRequest } from './gate-request.js';

/**
 * `req` as the attempt of `fallback` runs it: the entry's max output tokens in place of the
 * request's (Anthropic `fallbacks[].max_tokens`), and its speed in place of the request's
 * (`fallbacks[].speed`, priced through the same fast-mode modifier: reservation-prices.ts
 * reservationModifier); what the entry leaves out is the request's. `req` itself when the
 * entry sets neither.
 */
function attemptOf(req: GateRequest, fallback: FallbackBound): GateRequest {
  const { maxOutputTokens, speed } = fallback;
  if (maxOutputTokens === undefined && speed === undefined) return req;
  return {
    ...req,
    maxOutputTokens: maxOutputTokens ?? req.maxOutputTokens,
    billing: speed === undefined ? req.billing : { ...req.billing, speed },
  };
}

/**
 * A gate's decision: admitted with a reservation to settle later, or refused with the
 * error to send (`budget_exceeded` for a spent cap, `budget_busy` when the wait for room
 * ran out, `unavailable` when the proxy began to shut down while the call waited).
 */
export type GateDecision<R> = { ok: true; reservation: R } | { ok: false; aborted?: false; error: ProxyError };

/** A gate's answer: its decision or, for a call that waited for room, `aborted`: the client left while waiting (record it `client_aborted`; nothing is held). */
export type GateResult<R> = GateDecision<R> | { ok: false; aborted: true };

export interface LedgerGateOptions {
  /** Output tokens assumed when neither the client nor the output history gives a maximum (default 1 024). */
  defaultMaxOutput?: number;
  /** `budget_admission_wait_ms`: longest wait for room, ms (default 30 000; 0 = never wait). */
  admissionWaitMs?: number;
  /** Largest outputs per key and model (default: an empty one, learning from settles). */
  outputs?: OutputHistory;
  /** `budget_output_hold`: what a call without an output limit holds for its output (output-hold.ts; default `history`). */
  outputHold?: OutputHoldMode;
  /** Receives one line for the first refusal per budget per minute. */
  log?: (line: string) => void;
  /** True for a key whose budget the config declares (`keys.NAME.budget`): a spent cap's message says to raise it there. Default: none. */
  configKeyBudget?: (keyName: string) => boolean;
}

const ABORTED_RESULT: GateResult<never> = Object.freeze({ ok: false, aborted: true });

/**
 * The proxy's BudgetGate on top of the in-memory ledger. `reserve` estimates the call
 * (prompt bytes, and max output tokens or the largest output the key has had from the
 * model this week, at the model's dearest cached prices; see estimate.ts and policy.ts)
 * and holds the estimate on every budget the call counts against. When a budget has room
 * but not beside the calls in flight, the call waits for them (admission.ts), at most
 * `admissionWaitMs`. Synchronous, allocation-light and never touching storage when it can
 * decide at once; a promise only when the call waits. `settle` swaps the hold for the real
 * cost and teaches the output history.
 */
export class LedgerGate {
  /** Largest outputs per key and model; seed it at start (store/read/output-maxima.ts). */
  readonly outputs: OutputHistory;
  private readonly defaultMaxOutput: number;
  private readonly waitMs: number;
  private readonly holdMode: OutputHoldMode;
  private readonly refusals: RefusalLog | null;
  private readonly configKeyBudget: (keyName: string) => boolean;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly prices: EstimatePrices,
    options: LedgerGateOptions = {},
  ) {
    this.outputs = options.outputs ?? new OutputHistory();
    this.defaultMaxOutput = options.defaultMaxOutput ?? DEFAULT_MAX_OUTPUT_TOKENS;
    this.waitMs = options.admissionWaitMs ?? 30_000;
    this.holdMode = options.outputHold ?? 'history';
    this.refusals = options.log === undefined ? null : new RefusalLog(options.log);
    this.configKeyBudget = options.configKeyBudget ?? (() => false);
  }

  /**
   * The estimate `reserve` holds for this request, nano-USD. An unmetered call without a model
   * (model lists, files, …) is never priced (recorded at 0), so it holds nothing; it is still
   * refused once a budget is exhausted. A metered one naming no model (a stored prompt's, an
   * agent's) runs one all the same: held at the fallback prices (the dearest). A request
   * with fallback models (OpenRouter `models`, Anthropic `fallbacks`) holds the dearest of
   * its attempts' estimates, each at its own max output and speed (`attemptOf`), and one
   * with advisor tools adds their consultations (`advisorEstimate`).
   */
  estimate(req: GateRequest): NanoUsd {
    if (req.model === null && req.metered !== true) return 0;
    let most = this.estimateAt(req, req.model);
    // The provider may run (and bill) any fallback instead: hold the dearest.
    const fallbacks = req.fallbackModels;
    if (fallbacks !== undefined) for (const fallback of fallbacks) most = Math.max(most, this.estimateAt(attemptOf(req, fallback), fallback.model));
    return Math.min(most + this.advisorEstimate(req) + this.imageToolEstimate(req), Number.MAX_SAFE_INTEGER);
  }

  /**
   * What the images of the request's image generation tools may cost, nano-USD: `images` calls of
   * the image model (`estimateAt`, at its dearest output price, the image one), each with no
   * prompt (the image's input is not priced: providers/openai-image-tool.ts) and the most output
   * tokens one image may be billed. 0 without such a tool, with nothing allocated.
   */
  private imageToolEstimate(req: GateRequest): NanoUsd {
    const tools = req.imageTools;
    if (tools === undefined) return 0;
    let total = 0;
    for (const tool of tools) {
      const image: GateRequest = { ...req, promptBytes: 0, contextTokens: undefined, referencedInputTokens: undefined, cachedPromptTokens: undefined, outputChoices: undefined, maxWebSearches: undefined, maxFileSearches: undefined, audioSeconds: undefined, documentPages: undefined, billing: undefined, maxOutputTokens: tool.outputTokensPerImage };
      total += tool.images * this.estimateAt(image, tool.model);
    }
    return Math.min(total, Number.MAX_SAFE_INTEGER);
  }

  /**
   * What the request's advisor consultations may cost, nano-USD: for each advisor tool, its
   * consultations (advisor-consultations.ts: `max_uses`, else 3; each answering the tool's
   * `max_tokens`, else 1,800 tokens), each priced by `estimateAt` as a call of the advisor
   * model at its dearest rates (fallback when unknown) on the prompt plus what it reads
   * beyond it: the executor's max output (`executorOutputTokens`) and the earlier
   * consultations' answers. The input grows by one answer per consultation, so the series
   * is count × (first + last) / 2, rounded up: the sum of the consultations' estimates to
   * within a nano-USD each. Only US-only inference multiplies it, as the pricer prices
   * advisors (pricer.ts withAdvisors).
   */
  private advisorEstimate(req: GateRequest): NanoUsd {
    const tools = req.advisorTools;
    if (tools === undefined) return 0;
    const geo = req.billing?.inferenceGeo;
    // One consultation as estimateAt prices a call: one answer, no search fees, US-only inference alone.
    const consultation: GateRequest = { ...req, outputChoices: undefined, maxWebSearches: undefined, maxFileSearches: undefined, audioSeconds: undefined, documentPages: undefined, billing: geo === undefined ? undefined : { inferenceGeo: geo } };
    let total = 0;
    for (const s of consultationSeries(tools, this.executorOutputTokens(req))) {
      if (s.count > 0) total += Math.ceil((s.count * (this.consultationAt(consultation, s, s.firstExtraInputTokens) + this.consultationAt(consultation, s, s.lastExtraInputTokens))) / 2);
    }
    return Math.min(total, Number.MAX_SAFE_INTEGER);
  }

  /**
   * One consultation of series `s` reading `extraInput` tokens beyond the prompt. A method,
   * not a closure in advisorEstimate: a closure there made every call (advisor tool or not)
   * allocate a scope for it.
   */
  private consultationAt(consultation: GateRequest, s: ConsultationSeries, extraInput: number): NanoUsd {
    return this.estimateAt({ ...consultation, maxOutputTokens: s.outputTokens, contextTokens: (consultation.contextTokens ?? 0) + extraInput }, s.model);
  }

  /**
   * Most output tokens the executor writes into the transcript its advisors read: the
   * request's max output, or what a call without one is held at (`estimateAt`); with
   * fallback models, the largest of their attempts' (each entry's own `max_tokens`).
   */
  private executorOutputTokens(req: GateRequest): number {
    const of = (max: number | null, model: string | null) => max ?? (model === null ? this.defaultMaxOutput : this.heldOutputTokens(req.keyName, model, req.model, req.at, this.prices.get(req.provider, model, req.at)));
    let most = of(req.maxOutputTokens, req.model);
    for (const fallback of req.fallbackModels ?? []) most = Math.max(most, of(fallback.maxOutputTokens ?? req.maxOutputTokens, fallback.model));
    return most;
  }

  /** The estimate of `req` if `model` runs it (null: a model tokometer cannot name, at the fallback prices). */
  private estimateAt(req: GateRequest, model: string | null): NanoUsd {
    const rates = reservationRates(this.prices.get(req.provider, model, req.at), req.billing);
    // Learned from this model's history only when the client set no limit and names the model.
    const expected = req.maxOutputTokens !== null || model === null ? this.defaultMaxOutput : this.heldOutputTokens(req.keyName, model, req.model, req.at, rates);
    // Every answer of an `n` > 1 request may run to the maximum, and each is billed.
    const choices = Math.max(1, req.outputChoices ?? 1);
    const seen = (req.contextTokens ?? 0) + referencedHeld(req.referencedInputTokens, rates.contextWindowTokens);
    // `window` mode: server tool results (web_search, web_fetch) may fill the window as input.
    const unseen = heldUnseenInput(this.holdMode, req.serverToolInput, req.promptBytes, seen, rates.contextWindowTokens);
    return estimateCostNano({
      promptBytes: req.promptBytes,
      maxOutputTokens: req.maxOutputTokens === null ? null : req.maxOutputTokens * choices,
      inputPricePerTokenPico: rates.inputPicoPerToken,
      outputPricePerTokenPico: rates.outputPicoPerToken,
      defaultMaxOutput: expected * choices,
      contextTokens: unseen,
      // A Gemini cache the request reads (none: 0 tokens, no rate looked up).
      cachedTokens: req.cachedPromptTokens ?? 0,
      cachedPricePerTokenPico: req.cachedPromptTokens === undefined ? undefined : cacheReadRate(rates, req.cachedPromptTokens + req.promptBytes + unseen),
      ...searchFeeBound(req, rates),
      modifier: reservationModifier(rates, req.billing),
      // A model billed by the audio's duration (whisper-1): its seconds at the per-hour price (none: 0).
      audioSeconds: req.audioSeconds ?? 0,
      audioPicoPerHour: rates.audioPicoPerHour ?? 0,
      // A model priced per page (Mistral OCR): the request's page bound at the dearest price a page may be billed.
      pages: req.documentPages?.max ?? 0,
      pricePerPagePico: pagePriceBound(rates, req.documentPages?.annotated === true),
    });
  }

  /**
   * Output tokens one answer of a call without a maximum is expected to run to: the largest
   * output of one answer of that key and model in the history's window, else the default.
   * A best guess, for what a call whose usage never came is recorded at (proxy/recorded-usage.ts);
   * the budget holds `heldOutputTokens`.
   */
  expectedOutputTokens(keyName: string | null, model: string, at: number): number {
    return this.outputs.max(keyName, model, at) ?? this.defaultMaxOutput;
  }

  /** Output tokens one answer of a call without a maximum is held at if `model` runs it (output-hold.ts heldOutput, in this gate's mode). */
  private heldOutputTokens(keyName: string | null, model: string, requested: string | null, at: number, rates: EstimateRates): number {
    return heldOutput(this.holdMode, this.outputs, { keyName, model, requested, at }, rates.contextWindowTokens, this.defaultMaxOutput).tokens;
  }

  /** Admits, refuses, or (a promise) waits for room; `signal` ends a wait when the client leaves. */
  reserve(req: GateRequest, signal?: AbortSignal): GateResult<Reservation> | Promise<GateResult<Reservation>> {
    const historyModel = req.maxOutputTokens === null ? req.model : null;
    const request: ReserveRequest = { keyName: req.keyName, tags: req.tags, estimateNano: this.estimate(req), historyModel, historyChoices: req.outputChoices ?? 1 };
    const first = this.ledger.reserve(request);
    if (first.ok) return { ok: true, reservation: first };
    if (first.blocked.reason === 'exhausted' || this.waitMs <= 0) return this.refuse(first.blocked, 0, req);
    const waitMs = this.waitMs;
    return this.ledger.wait(request, { waitMs, ...(signal ? { signal } : {}), reestimate: () => this.estimate(req) }).then((r: WaitResult) => {
      if (r.ok) return { ok: true, reservation: r };
      if ('closed' in r) return { ok: false, error: shuttingDownError(r.blocked) };
      return 'aborted' in r ? ABORTED_RESULT : this.refuse(r.blocked, waitMs, req);
    });
  }

  /**
   * Shutdown: the calls waiting for room, and every later call that would wait, are answered
   * 503 `unavailable` (errors.ts shuttingDownError: retry) and never sent; calls that fit at
   * once are still admitted. Call it when the shutdown starts, before the grace period.
   */
  endWaits(): void {
    this.ledger.endWaits();
  }

  /**
   * Releases the hold and charges `actualCostNano` (0 for unknown); `outputTokens` (as the
   * provider reported them, reasoning included; null when not reported) of a call without
   * max output teaches the output history before the budget's waiters are decided again.
   * Idempotent.
   */
  settle(reservation: Reservation, actualCostNano: NanoUsd, outputTokens?: number | null): void {
    // The history holds one answer's output; providers report an `n` > 1 call's answers summed.
    if (outputTokens != null && !reservation.settled) this.outputs.observe(reservation.keyName, reservation.historyModel, Math.ceil(outputTokens / reservation.historyChoices), reservation.at);
    this.ledger.settle(reservation, actualCostNano);
  }

  private refuse(blocked: BlockInfo, waitedMs: number, req: GateRequest): GateResult<Reservation> {
    const block = blocked.kind === 'key' && this.configKeyBudget(blocked.name) ? { ...blocked, fromConfig: true } : blocked;
    this.refusals?.note(block);
    return { ok: false, error: budgetRefusal(block, waitedMs, block.reason === 'reserved' ? this.outputHold(req) : undefined) };
  }

  /**
   * The output side of `req`'s estimate when it set no output limit and names its model (what
   * estimateAt holds for it, and why: heldOutputTokens), for a busy refusal's message; undefined
   * otherwise. Only on the refusal path.
   */
  private outputHold(req: GateRequest): OutputHold | undefined {
    // No parameter: the API reads no output limit (embeddings, speech), so there is nothing to set.
    if (req.maxOutputTokens !== null || req.model === null || req.outputLimitParam === undefined) return undefined;
    const window = this.prices.get(req.provider, req.model, req.at).contextWindowTokens;
    const { tokens, source } = heldOutput(this.holdMode, this.outputs, { keyName: req.keyName, model: req.model, requested: req.model, at: req.at }, window, this.defaultMaxOutput);
    return { tokens, choices: Math.max(1, req.outputChoices ?? 1), source, model: req.model, param: req.outputLimitParam };
  }
}
