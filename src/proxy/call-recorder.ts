import { monotonicMs } from '../lib/clock.js';
import type { ProxyError } from '../lib/errors.js';
import { hashBody } from '../lib/ids.js';
import { estimateTokens } from '../providers/estimate.js';
import type { RequestInfo } from '../providers/types.js';
import type { PriceResult } from '../pricing/types.js';
import type { CallOutcome, CallRecord } from '../store/types.js';
import type { ProxyDeps } from './deps.js';
import type { FinishedCall } from './finished-calls.js';
import { newObservation, type BodyObservation, type Failure, type GeneratedUnread } from './observation.js';
import { contextWindowOf } from './answer-bytes.js';
import { generatesWholeAnswer, recordedUsage, type EstimateSource } from './recorded-usage.js';
import { budgetName, describeFailure, joinNotes } from './record-notes.js';

/** No body was seen (refused, failed or abandoned before a response arrived). */
const NOTHING_SEEN: Readonly<BodyObservation> = Object.freeze(newObservation());

/** What a recorder needs: pricing, the budget's settle, where finished calls are announced, and where a failure of pricing or settling is reported. */
export type RecorderDeps<R> = Pick<ProxyDeps<R>, 'pricer' | 'budgets' | 'finished' | 'log' | 'contexts' | 'cachedContents' | 'uncostedOnBudget' | 'graceOver'>;

const NO_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Stateless for whole-buffer decodes, so one instance serves every call. */
const DECODER = new TextDecoder();

/** What a record and an estimate need of a request body (CallRecorder.summariseBody). */
interface BodySummary {
  /** hashBody of the body; null for an empty one. */
  hash: string | null;
  /** Body size, bytes. */
  bytes: number;
  /** estimateTokens of the body's text. */
  tokens: number;
}

/**
 * The one owner of a proxied call's outcome. The handler tells it what it learns as the
 * call passes its checks (key, tags, request, reservation); exactly one of `refuse`,
 * `fail` or `complete` then finishes the call: it prices the usage, settles the
 * reservation, builds the record and announces it. Later calls of those are ignored, so
 * a relay's `finally` and an abandon path can both report the end without double
 * counting. Nothing else finishes a call.
 *
 * Finishing never throws on account of pricing or the budget: a call that reached the
 * provider is recorded whatever they do. A pricer that throws leaves the call unpriced
 * (cost null, the failure in the record's `error`) and its reservation settled at 0; a
 * settle that throws is logged and tried once more without the output tokens (see
 * `settleAgain`). Both are logged.
 */
export class CallRecorder<R> implements FinishedCall, EstimateSource {
  private keyName: string | null = null;
  private tags: Record<string, string> = NO_TAGS;
  private info: RequestInfo | null = null;
  private body: Uint8Array | null = null;
  /** What the record and an estimate need of the body, once `summariseBody` let it go. */
  private bodySummary: BodySummary | null = null;
  /** Set by `completeUnknown`: an estimate counts the request's whole output allowance (EstimateSource). */
  wholeAllowance = false;
  /** Set by `fail` for a non-streamed answer generated but never read (EstimateSource). */
  generatedUnread: GeneratedUnread | undefined = undefined;
  private reservation: R | undefined;
  private holding = false;
  private done = false;
  /** Set when the call finishes (FinishedCall). */
  responseModel: string | null = null;
  finishReasons: readonly string[] | null = null;
  budget: string | null = null;

  constructor(
    private readonly deps: RecorderDeps<R>,
    readonly provider: string,
    /** ms since the epoch when the call arrived. */
    readonly startedAt: number,
    /** performance.now() when the call arrived, for durations. */
    readonly t0: number,
    private readonly headers: Readonly<Record<string, string>>,
  ) {}

  get traceparent(): string | undefined {
    return this.headers['traceparent'];
  }

  get tracestate(): string | undefined {
    return this.headers['tracestate'];
  }

  /** True once the call is finished (recorded). */
  get finished(): boolean {
    return this.done;
  }

  /** The metering key and the call's effective tags (fixed key tags applied). */
  identify(keyName: string, tags: Record<string, string>): void {
    this.keyName = keyName;
    this.tags = tags;
  }

  /** The request body and what the adapter read from it. */
  describe(info: RequestInfo, body: Uint8Array): void {
    this.info = info;
    this.body = body;
  }

  /**
   * Keeps only what the record and an estimate need of the request body (hash, size,
   * estimated tokens) and lets the body go: for a call that waits long to finish (a
   * background response), so bodies of up to limits.max_body_bytes are not held for hours.
   */
  summariseBody(): void {
    if (this.body === null) return;
    this.bodySummary = { hash: this.requestHash(), bytes: this.promptBytes(), tokens: this.bodyTokens() };
    this.body = null;
  }

  /** hashBody of the request body (null for none or an empty one), from the summary once the body is gone. */
  private requestHash(): string | null {
    if (this.bodySummary !== null) return this.bodySummary.hash;
    return this.body !== null && this.body.length > 0 ? hashBody(this.body) : null;
  }

  /** The request body's size, bytes. */
  private promptBytes(): number {
    return this.bodySummary?.bytes ?? this.body?.length ?? 0;
  }

  /** estimateTokens of the request body's text (0 without a body; EstimateSource). */
  bodyTokens(): number {
    if (this.bodySummary !== null) return this.bodySummary.tokens;
    return this.body !== null ? estimateTokens(DECODER.decode(this.body)) : 0;
  }

  /** EstimateSource: what the budget expects this key to get from `model` without an output limit. */
  expectedOutputTokens(model: string): number | undefined {
    return this.deps.budgets.expectedOutputTokens?.(this.keyName, model, this.startedAt);
  }

  /** EstimateSource: tokens of the provider-side state the request continues, if this process served it. */
  contextTokens(continues: string): number | undefined {
    return this.deps.contexts?.tokensOf(continues);
  }

  /** EstimateSource: the catalog's context window of `model` at this call's provider, when the pricer describes models and gives one. */
  contextWindowTokens(model: string): number | undefined {
    return contextWindowOf(this.deps.pricer, model, this.provider, this.startedAt);
  }

  /** The budget reservation to settle when the call finishes. */
  hold(reservation: R): void {
    this.reservation = reservation;
    this.holding = true;
  }

  /**
   * The provider was paid for work whose usage will never be read (a background response
   * tokometer stopped following): `ok`, estimated from the request, its output at the
   * request's whole allowance (recorded-usage.ts), `note` saying why. `client_aborted`: a
   * response cancelled without usage (billed up to the cancel), its end's model kept.
   */
  completeUnknown(status: number, seen: BodyObservation, at: number, note: string, outcome: 'ok' | 'client_aborted' = 'ok'): void {
    this.wholeAllowance = true;
    const observed = outcome === 'ok' || seen.observed === null ? null : { ...seen.observed, usage: null };
    this.finish(outcome, status, note, { ...seen, observed }, true, at);
  }

  /**
   * tokometer refused the call; it never reached the provider. `status` is the HTTP status
   * the client got, which the provider's adapter may have changed from `error.status`
   * (Cohere answers a budget refusal with 402); default `error.status`.
   */
  refuse(error: ProxyError, status: number = error.status): void {
    this.budget = budgetName(error.details);
    this.finish('refused', status, error.message, NOTHING_SEEN, false, monotonicMs());
  }

  /** The call ended without a complete response: the provider failed, or the client left. */
  fail(outcome: 'upstream_failed' | 'client_aborted', failure: Failure, at: number = monotonicMs()): void {
    // An answer generated whole but never read (Failure.generated; a call the shutdown cut) was billed whole: its whole allowance is counted.
    const generated = failure.generated ?? (outcome === 'client_aborted' && this.deps.graceOver?.() === true ? 'shutdown' : undefined);
    if (generated !== undefined && generatesWholeAnswer(this.info, generated)) [this.wholeAllowance, this.generatedUnread] = [true, generated];
    this.finish(outcome, failure.status, failure.error, failure.seen ?? NOTHING_SEEN, failure.reachedProvider ?? true, at);
  }

  /**
   * Every byte of the provider's answer reached the client: `ok` for 2xx, else
   * `upstream_error`. `note` goes to the record's `error` (why a usage is only estimated).
   */
  complete(status: number, seen: BodyObservation, at: number, note: string | null = null): void {
    if (status < 200 || status >= 300) return this.finish('upstream_error', status, note, seen, true, at);
    // A 2xx answer whose work failed inside it (Observed.failed) is the provider's failure, not a success.
    const failed = seen.observed?.failed;
    this.finish(failed === undefined ? 'ok' : 'upstream_failed', status, failed ?? note, seen, true, at);
  }

  /**
   * The provider's whole answer, read after its client left before it came (the provider bills
   * it all the same): 2xx is `client_aborted` at status 0 (the client got nothing) with the
   * answer's usage; an error answer, or one failed inside, is recorded as `complete` records it.
   */
  completeUnsent(status: number, seen: BodyObservation, at: number): void {
    if (status < 200 || status >= 300 || seen.observed?.failed !== undefined) return this.complete(status, seen, at, 'client disconnected before the answer');
    this.finish('client_aborted', 0, 'client disconnected before the answer; the answer was read and metered', seen, true, at);
  }

  private finish(outcome: CallOutcome, status: number, error: string | null, seen: BodyObservation, reachedProvider: boolean, at: number): void {
    if (this.done) return;
    this.done = true;
    const info = this.info;
    const { usage, source, note, unpriceable, vendorCostNano } = recordedUsage(info, outcome, seen, reachedProvider, this);
    const model = seen.observed?.model ?? info?.model ?? null;
    this.responseModel = seen.observed?.model ?? null;
    this.finishReasons = seen.observed?.finishReasons ?? null;
    // Unknown usage has an unknown cost: null, never a silent 0.
    let costNano: number | null = source === 'unknown' ? null : 0;
    let priceSource: string | null = null;
    /** Why pricing failed (it threw), or what a lower-bound cost leaves out, for the record; null when neither. */
    let unpriced: string | null = null;
    if (usage && vendorCostNano !== undefined) {
      // A cost only the vendor knows (recorded-usage.ts vendorCostNano): recorded as it reported it.
      costNano = vendorCostNano;
      priceSource = 'provider';
    } else if (usage) {
      let priced: PriceResult | null = null;
      // A usage that must not be priced (recorded-usage.ts) stays unpriced: cost null.
      if (model && unpriceable !== true) {
        try {
          priced = this.deps.pricer.price(usage, { provider: this.provider, model, at: this.startedAt });
        } catch (failure) {
          unpriced = this.pricingFailed(model, failure);
        }
      }
      if (priced?.priced) {
        costNano = priced.costNano;
        priceSource = priced.source;
        if (priced.note !== undefined) unpriced = priced.note;
      } else {
        costNano = null;
      }
    }
    const contexts = this.deps.contexts;
    if (usage !== null && source === 'reported' && contexts !== undefined) contexts.rememberAnswer(usage, seen.observed?.responseId, info?.continues);
    const caches = this.deps.cachedContents;
    if (caches !== undefined && info !== null && outcome === 'ok' && (info.cachedContent !== undefined || info.cacheLifecycle !== undefined)) caches.learnFromAnswer(this.provider, this.keyName, info, usage, source, seen.observed);
    if (this.holding) {
      // Reported output tokens teach the budget's output history (estimates of later calls).
      const outputTokens = usage !== null && source === 'reported' ? usage.outputTokens : null;
      try {
        this.deps.budgets.settle(this.reservation as R, costNano ?? 0, outputTokens);
      } catch (failure) {
        this.settleAgain(costNano ?? 0, failure);
      }
    }
    const record: CallRecord = {
      ts: this.startedAt,
      keyName: this.keyName,
      provider: this.provider,
      endpoint: info?.endpoint ?? 'other',
      modelRequested: info?.model ?? null,
      model,
      status,
      outcome,
      streamed: info?.streaming ?? false,
      usage,
      usageSource: source,
      costNano,
      providerCostNano: usage?.providerCostNano ?? null,
      priceSource,
      latencyMs: at - this.t0,
      ttfbMs: seen.firstByteAt === null ? null : seen.firstByteAt - this.t0,
      tags: this.tags,
      requestHash: this.requestHash(),
      promptBytes: this.promptBytes(),
      // An image call's bound (its images' tokens) and a speech call's (its text's most audio) are the hold's, not a limit the client set.
      maxOutputTokens: info?.kind === 'images' || info?.kind === 'speech' ? null : (info?.maxOutputTokens ?? null),
      error: joinNotes([error, note, unpriced]),
    };
    // Cost null (unpriced, or usage unknown: store/unpriced.ts whyNoCost), it settled $0 against the budgets it held. A priced call only compares its cost to null.
    if (this.holding && record.costNano === null) this.deps.uncostedOnBudget?.settledUncosted(record, this.reservation);
    this.deps.finished.announce(record, this);
  }

  /** The pricer threw: logs it and gives the note the record carries (the call stays unpriced, cost null). */
  private pricingFailed(model: string, failure: unknown): string {
    const reason = describeFailure(failure);
    this.deps.log.error('pricing a call failed; recorded unpriced', { provider: this.provider, model, reason });
    return `pricing failed: ${reason}`;
  }

  /**
   * The budget's settle threw: logs it and settles once more with no output tokens. Settles
   * are idempotent, so a settle that got as far as releasing the hold does nothing again;
   * one that failed before (in the output history, which only refines later estimates)
   * releases the hold now. Never throws.
   */
  private settleAgain(costNano: number, failure: unknown): void {
    this.deps.log.error('settling a budget reservation failed', { provider: this.provider, reason: describeFailure(failure) });
    try {
      this.deps.budgets.settle(this.reservation as R, costNano, null);
    } catch {
      // Logged above; the call is still recorded.
    }
  }
}
