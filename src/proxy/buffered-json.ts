import { monotonicMs } from '../lib/clock.js';
import { newObservation, type BodyObservation } from './observation.js';
import { clientHeaders } from './forward.js';
import { type KeyMask, maskKey } from './key-mask.js';
import type { Logger } from './log.js';
import { observeJson } from './body-steps.js';
import type { RelayContext } from './relay.js';
import type { OutgoingResponse, UpstreamResponse } from './types.js';
import { upstreamFailure } from './upstream-failure.js';

/**
 * What a buffered JSON answer needs of the relay's context (no framing mode, request changes
 * or chunk timer), where a failure of its metering is reported, and, for an error answer,
 * the provider key to mask in what the client gets (key-mask.ts).
 */
type JsonContext = Omit<RelayContext, 'mode' | 'prepared' | 'idleMs'> & { log: Logger; keyMask?: KeyMask | null };

/** JSON bodies up to this size (declared by Content-Length) are read in one call and sent whole. */
const MAX_BUFFERED_JSON_BYTES = 4 << 20;

export function isSmall(contentLength: string | string[] | undefined): boolean {
  const n = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  return Number.isInteger(n) && n >= 0 && n <= MAX_BUFFERED_JSON_BYTES;
}

/**
 * A small metered JSON response: one native read, and the bytes handed to the edge as a
 * whole body — no stream, per-chunk timer or relay bookkeeping (−23…−29 µs CPU per call
 * on the binary). Metering (usage parse, then `onFinished`: price, budget settlement,
 * request hash, the record) runs in a setImmediate right after, so the client never
 * waits for it; its time and outcome are taken when the body is handed over. A client
 * that leaves while the kernel sends ~kilobytes is still 'ok', as the provider was paid
 * in full anyway; one that had left before the answer came is `client_aborted` with the
 * answer's usage (CallRecorder.completeUnsent). Shutdown lets pending immediates run before
 * it drains the write queue (start.ts). A body that fails to arrive is answered with the
 * provider-shaped upstream error (nothing was sent yet), or 499 when the client left.
 */
export async function bufferedJson(upstream: UpstreamResponse, ctx: JsonContext): Promise<OutgoingResponse> {
  const seen = newObservation();
  let bytes: Uint8Array;
  try {
    bytes = await upstream.bytes();
  } catch (error) {
    seen.firstByteAt = monotonicMs();
    if (ctx.clientGone()) {
      ctx.onFinished(false, error, seen, ctx.status, seen.firstByteAt);
      return { status: 499, headers: {}, body: '' };
    }
    const rendered = ctx.adapter.renderError(upstreamFailure(ctx.provider, error, 'response').error);
    // The record carries the status the client got.
    ctx.onFinished(false, error, seen, rendered.status, seen.firstByteAt);
    return { status: rendered.status, headers: rendered.headers, body: rendered.body };
  }
  const finishedAt = monotonicMs();
  seen.firstByteAt = finishedAt;
  meterLater({ bytes, seen, ctx, finishedAt, unsent: ctx.clientGone() });
  const shown = ctx.keyMask ? maskKey(bytes, ctx.keyMask) : bytes;
  if (shown === bytes) return { status: upstream.status, headers: clientHeaders(upstream.headers, false), body: bytes };
  return { status: upstream.status, headers: { ...clientHeaders(upstream.headers, true), 'content-length': String(shown.length) }, body: shown };
}

/** An answer handed to the edge whose usage is still to be read and recorded. */
interface Unmetered {
  bytes: Uint8Array;
  seen: BodyObservation;
  ctx: JsonContext;
  /** monotonicMs() when the body was handed over. */
  finishedAt: number;
  /** The client had left when the answer came: it was read and is metered, never sent (OnFinished). */
  unsent: boolean;
}

/** Answers of this turn of the event loop, metered together in one setImmediate (one native immediate, not one per call). */
let unmetered: Unmetered[] = [];

function meterLater(answer: Unmetered): void {
  if (unmetered.length === 0) setImmediate(meterAll);
  unmetered.push(answer);
}

/**
 * Meters every waiting answer. Never throws: this runs in an immediate, where a throw would
 * end the process (no uncaughtException handler) and every call in flight with it. Usage the
 * adapter fails to read is recorded as unknown (observeJson); pricing or a budget settle that
 * throws still leaves the call recorded (CallRecorder), and `onFinished` does not throw; a
 * throw that gets here all the same is logged, and the other answers are still recorded.
 */
function meterAll(): void {
  const answers = unmetered;
  unmetered = [];
  for (const a of answers) {
    try {
      observeJson(a.bytes, a.seen, a.ctx.adapter, a.ctx.info);
      a.ctx.onFinished(true, null, a.seen, a.ctx.status, a.finishedAt, a.unsent);
    } catch (error) {
      a.ctx.log.error('recording a call failed', { provider: a.ctx.provider, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
