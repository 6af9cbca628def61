import { monotonicMs } from '../lib/clock.js';
import type { ProxyError } from '../lib/errors.js';
import { hashBody } from '../lib/ids.js';
import { BYTES_PER_TOKEN } from '../budget/estimate.js';
import { AUDIO_TOKENS_PER_SECOND } from '../providers/audio-length.js';
import { estimateTokens } from '../providers/estimate.js';
import { emptyUsage, type Observed, type RequestInfo, type Usage } from '../providers/types.js';
import type { PriceResult } from '../pricing/types.js';
import type { CallOutcome, CallRecord, UsageSource } from '../store/types.js';
import type { ProxyDeps } from './deps.js';
import type { ContextMemory } from './context-memory.js';
import type { FinishedCall } from './finished-calls.js';
import { newObservation, type BodyObservation, type Failure } from './observation.js';

/** No body was seen (refused, failed or abandoned before a response arrived). */
const NOTHING_SEEN: Readonly<BodyObservation> = Object.freeze(newObservation());

/** What a recorder needs: pricing, the budget's settle, where finished calls are announced, and where a failure of pricing or settling is reported. */
export type RecorderDeps<R> = Pick<ProxyDeps<R>, 'pricer' | 'budgets' | 'finished' | 'log' | 'contexts'>;

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
export class CallRecorder<R> implements FinishedCall {
  private keyName: string | null = null;
  private tags: Record<string, string> = NO_TAGS;
  private info: RequestInfo | null = null;
  private body: Uint8Array | null = null;
  /** What the record and an estimate need of the body, once `summariseBody` let it go. */
  private bodySummary: BodySummary | null = null;
  /** Set by `completeUnknown`: an estimate counts the request's whole output allowance. */
  private wholeAllowance = false;
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

  /** estimateTokens of the request body's text (0 without a body). */
  private bodyTokens(): number {
    if (this.bodySummary !== null) return this.bodySummary.tokens;
    return this.body !== null ? estimateTokens(DECODER.decode(this.body)) : 0;
  }

  /** The budget reservation to settle when the call finishes. */
  hold(reservation: R): void {
    this.reservation = reservation;
    this.holding = true;
  }

  /**
   * The provider was paid for work whose usage will never be read (a background response
   * tokometer stopped following): `ok`, estimated from the request, its output at the
   * request's whole allowance (`outputAllowance`), `note` saying why. `client_aborted`: a
   * response cancelled without usage (billed up to the cancel), its end's model kept.
   */
  completeUnknown(status: number, seen: BodyObservation, at: number, note: string, outcome: 'ok' | 'client_aborted' = 'ok'): void {
    this.wholeAllowance = true;
    const observed = outcome === 'ok' || seen.observed === null ? null : { ...seen.observed, usage: null };
    this.finish(outcome, status, note, { ...seen, observed }, true, at);
  }

  /** tokometer refused the call; it never reached the provider. */
  refuse(error: ProxyError): void {
    this.budget = budgetName(error.details);
    this.finish('refused', error.status, error.message, NOTHING_SEEN, false, monotonicMs());
  }

  /** The call ended without a complete response: the provider failed, or the client left. */
  fail(outcome: 'upstream_failed' | 'client_aborted', failure: Failure, at: number = monotonicMs()): void {
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

  private finish(outcome: CallOutcome, status: number, error: string | null, seen: BodyObservation, reachedProvider: boolean, at: number): void {
    if (this.done) return;
    this.done = true;
    const info = this.info;
    const { usage, source, note } = this.usageFor(outcome, seen, reachedProvider);
    const model = seen.observed?.model ?? info?.model ?? null;
    this.responseModel = seen.observed?.model ?? null;
    this.finishReasons = seen.observed?.finishReasons ?? null;
    // Unknown usage has an unknown cost: null, never a silent 0.
    let costNano: number | null = source === 'unknown' ? null : 0;
    let priceSource: string | null = null;
    /** Why pricing failed (it threw), or what a lower-bound cost leaves out, for the record; null when neither. */
    let unpriced: string | null = null;
    if (usage) {
      let priced: PriceResult | null = null;
      if (model) {
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
    if (usage !== null && source === 'reported' && contexts !== undefined) this.rememberContext(contexts, usage, seen.observed?.responseId);
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
      maxOutputTokens: info?.maxOutputTokens ?? null,
      error: joinNotes([error, note, unpriced]),
    };
    this.deps.finished.announce(record, this);
  }

  /** A request continuing this answer (its id), or the conversation it belongs to, carries its input and output as input. */
  private rememberContext(contexts: ContextMemory, usage: Usage, responseId: string | undefined): void {
    const tokens = usage.inputTokens + usage.outputTokens;
    if (responseId !== undefined) contexts.remember(responseId, tokens);
    const continued = this.info?.continues;
    if (continued !== undefined && continued.startsWith('conv:')) contexts.remember(continued, tokens);
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

  private usageFor(outcome: CallOutcome, seen: BodyObservation, reachedProvider: boolean): { usage: Usage | null; source: UsageSource; note?: string } {
    const info = this.info;
    if (!info || !info.metered || outcome === 'refused') return { usage: null, source: 'not_metered' };
    const reported = seen.observed?.usage ?? null;
    if (reported) return { usage: reported, source: seen.observed?.estimated === true ? 'estimated' : 'reported' };
    if (outcome === 'upstream_error' || !reachedProvider) return { usage: null, source: 'not_metered' };
    // A file upload's input is the file, never read as text: estimated from its audio when it is
    // audio (RequestInfo.upload.audioTokens), else unknown.
    const audioTokens = info.upload?.audioTokens;
    if (info.upload !== undefined && audioTokens === undefined) return { usage: null, source: 'unknown' };
    // A body we could not parse is "usage unknown" (cost null). A parsed response or
    // stream that never carried usage still consumed tokens: estimate, flagged as such. So
    // does one too large to read (a request can ask for one), at its whole output allowance:
    // as unknown, its reservation was settled at 0.
    if (!seen.bodyParsed && outcome === 'ok' && seen.unread !== true) return { usage: null, source: 'unknown' };
    const usage = this.estimateUsage(seen);
    if (audioTokens === undefined) return { usage, source: 'estimated' };
    const note = `usage estimated from the request: ${audioTokens} audio tokens from the uploaded audio's length (${AUDIO_TOKENS_PER_SECOND} per second), the form's text fields at ${BYTES_PER_TOKEN} bytes per token`;
    return { usage, source: 'estimated', note };
  }

  /**
   * The most output the request lets the provider bill: its `max_output_tokens` (× answers),
   * else what the budget estimate expects of that key and model, else 0.
   */
  private outputAllowance(): number {
    const info = this.info;
    if (info === null) return 0;
    const each = info.maxOutputTokens ?? (info.model === null ? undefined : this.deps.budgets.expectedOutputTokens?.(this.keyName, info.model, this.startedAt)) ?? 0;
    return each * (info.outputChoices ?? 1);
  }

  /** A rough usage for a metered call whose usage never arrived; the row is flagged `estimated`. */
  private estimateUsage(seen: BodyObservation): Usage {
    const usage = emptyUsage();
    const audioTokens = this.info?.upload?.audioTokens;
    if (audioTokens !== undefined) {
      // An audio upload: its text fields as the reservation counts them, plus its audio.
      usage.inputTokens = Math.ceil((this.info?.upload?.textBytes ?? 0) / BYTES_PER_TOKEN) + audioTokens;
      usage.inputAudioTokens = audioTokens;
    } else usage.inputTokens = this.bodyTokens();
    // A continued conversation is billed again as input (RequestInfo.continues).
    const continues = this.info?.continues;
    if (continues !== undefined) usage.inputTokens += this.deps.contexts?.tokensOf(continues) ?? 0;
    usage.outputTokens = this.estimateOutput(seen, audioTokens !== undefined);
    return usage;
  }

  /**
   * Output tokens of an estimate: the frames relayed, or the request's whole allowance when
   * the end was never seen (a background response not followed, a body relayed unread). An
   * audio upload's answer relayed unread (a `text`, `srt` or `vtt` transcript) is its output:
   * its bytes / 4.
   */
  private estimateOutput(seen: BodyObservation, audioUpload: boolean): number {
    if (audioUpload && seen.unreadBytes !== undefined && !this.wholeAllowance) return Math.ceil(seen.unreadBytes / BYTES_PER_TOKEN);
    return this.wholeAllowance || seen.unread === true ? Math.max(seen.frames, this.outputAllowance()) : seen.frames;
  }
}

/** The record's `error`: the notes that are set, joined by '; '; null when none is. */
function joinNotes(notes: ReadonlyArray<string | null | undefined>): string | null {
  const set = notes.filter((n): n is string => n !== null && n !== undefined);
  return set.length === 0 ? null : set.join('; ');
}

/** A short description of what was thrown (the record's `error` and logs; at most 200 characters). */
function describeFailure(failure: unknown): string {
  const text = failure instanceof Error ? failure.message : String(failure);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The name of the budget in a refusal's details (`budget.name`), if any. */
function budgetName(details: Record<string, unknown>): string | null {
  const budget = details.budget;
  return typeof budget === 'object' && budget !== null && typeof (budget as { name?: unknown }).name === 'string' ? (budget as { name: string }).name : null;
}
